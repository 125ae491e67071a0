import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { InternalError } from '../errors.ts';
import { loadDataset } from './index.ts';
import { carveValidation, planValidationSplit } from './validation-split.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('planValidationSplit', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => (i * 7) % 10 < 3 ? 0 : (i % 4) + 1); // uneven classes

  it('is disjoint, covers every row, keeps the train rows in order, and is stratified within one example per class', () => {
    const { train, validation } = planValidationSplit(labels, 200, 3);
    expect(train.length + validation.length).toBe(1000);
    expect(new Set([...train, ...validation]).size).toBe(1000);
    expect([...train]).toEqual([...train].sort((a, b) => a - b));
    const counts = (rows: ArrayLike<number>) => {
      const c = new Array(5).fill(0);
      for (let i = 0; i < rows.length; i++) c[labels[rows[i]!]!]++;
      return c;
    };
    const all = counts(labels.map((_, i) => i));
    counts(validation).forEach((n, c) => expect(Math.abs(n - (200 * all[c]) / 1000)).toBeLessThanOrEqual(1));
  });

  it('depends on the seed only, and differs from the train/test split drawn from the same seed', () => {
    expect([...planValidationSplit(labels, 100, 5).validation]).toEqual([...planValidationSplit(labels, 100, 5).validation]);
    expect([...planValidationSplit(labels, 100, 5).validation]).not.toEqual([...planValidationSplit(labels, 100, 6).validation]);
  });

  it('refuses a size that leaves no train examples', () => {
    expect(() => planValidationSplit(labels, 1000, 0)).toThrow(InternalError);
    expect(() => planValidationSplit(labels, 0, 0)).toThrow(InternalError);
  });
});

describe('carveValidation through loadDataset', () => {
  useLeakCheck();

  it('takes validation rows from the train split only: test unchanged, train + validation = the old train rows', async () => {
    const cfg = { name: 'blobs', classes: 3, dim: 4, spread: 1, trainSize: 90, testSize: 30, seed: 4 } as const;
    const plain = await loadDataset(cfg);
    const carved = await loadDataset({ ...cfg, validationSize: 21 });
    try {
      expect(carved.valX!.shape).toEqual([21, 4]);
      expect(carved.trainX.shape).toEqual([69, 4]);
      expect(await carved.testX.array()).toEqual(await plain.testX.array());
      const rows = (x: number[][]) => x.map((r) => r.join(',')).sort();
      const before = rows(await plain.trainX.array() as number[][]);
      const after = rows([...(await carved.trainX.array() as number[][]), ...(await carved.valX!.array() as number[][])]);
      expect(after).toEqual(before);
      // 21 of 90 over 3 balanced classes: 7 each.
      const argmax = tf.argMax(carved.valY!, 1);
      const valClasses = (await argmax.array()) as number[];
      argmax.dispose();
      expect([0, 1, 2].map((c) => valClasses.filter((v) => v === c).length)).toEqual([7, 7, 7]);
      expect(carved.trainLabels).toHaveLength(69);
    } finally {
      plain.dispose();
      carved.dispose();
    }
  });

  it('regression data are split at random (one stratum)', async () => {
    const d = await loadDataset({ name: 'teacher', inputDim: 3, outputDim: 1, hidden: 4, noise: 0.1, trainSize: 50, testSize: 10, seed: 1, validationSize: 10 });
    try {
      expect(d.valX!.shape).toEqual([10, 3]);
      expect(d.trainX.shape).toEqual([40, 3]);
    } finally {
      d.dispose();
    }
  });

  it('an impossible size disposes what was loaded and throws', async () => {
    const cfg = { name: 'blobs', classes: 3, dim: 4, spread: 1, trainSize: 9, testSize: 3, seed: 4, validationSize: 9 } as const;
    await expect(loadDataset(cfg)).rejects.toThrow(InternalError);
  });

  it('carveValidation disposes the train tensors it replaced', async () => {
    const d = await loadDataset({ name: 'blobs', classes: 2, dim: 2, spread: 1, trainSize: 20, testSize: 4, seed: 1 });
    const oldTrain = d.trainX;
    const carved = carveValidation(d, 4, 0);
    expect(oldTrain.isDisposed).toBe(true);
    carved.dispose();
  });
});

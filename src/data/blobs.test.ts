import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { loadBlobs, planBlobCentres, sampleBlobs, type BlobsConfig } from './blobs.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base: BlobsConfig = { name: 'blobs', classes: 4, dim: 3, spread: 0.5, trainSize: 103, testSize: 41, seed: 2 };

describe('sampleBlobs', () => {
  it('with spread 0 puts every example exactly on its class centre', () => {
    const centres = planBlobCentres(3, 5, 1);
    const { x, labels } = sampleBlobs(centres, 3, 30, 0, 1, 's');
    labels.forEach((label, r) => {
      expect([...x.subarray(r * 5, r * 5 + 5)]).toEqual([...Float32Array.from(centres.subarray(label * 5, label * 5 + 5))]);
    });
  });

  it('spreads each class around its centre with the given std, classes balanced', () => {
    const classes = 3;
    const dim = 4;
    const centres = planBlobCentres(classes, dim, 4);
    const { x, labels } = sampleBlobs(centres, classes, 6001, 2, 4, 's');
    const counts = new Array(classes).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual([2001, 2000, 2000]);
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < dim; k++) {
        const values = [...labels.keys()].filter((r) => labels[r] === c).map((r) => x[r * dim + k]);
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
        // 2,000 draws of std 2: standard errors 0.045 (mean) and 0.032 (std).
        expect(Math.abs(mean - centres[c * dim + k])).toBeLessThan(0.2);
        expect(Math.abs(std - 2)).toBeLessThan(0.13);
      }
    }
  });
});

describe('loadBlobs', () => {
  useLeakCheck();
  it('returns inputs [N, dim] and one-hot labels that match trainLabels', async () => {
    const ds = await loadBlobs(base);
    expect(ds.task).toBe('classification');
    expect(ds.inputShape).toEqual([3]);
    expect(ds.numOutputs).toBe(4);
    expect(ds.trainX.shape).toEqual([103, 3]);
    expect(ds.trainY.shape).toEqual([103, 4]);
    expect(ds.testX.shape).toEqual([41, 3]);
    expect(ds.testY.shape).toEqual([41, 4]);
    const y = await ds.trainY.data();
    const labels = ds.trainLabels ?? new Int32Array();
    expect(labels.length).toBe(103);
    labels.forEach((label, r) => {
      expect([...y.subarray(r * 4, r * 4 + 4)]).toEqual([0, 1, 2, 3].map((c) => (c === label ? 1 : 0)));
    });
    ds.dispose();
  });

  it('keeps the centres and the test set when only trainSize changes, and follows the seed', async () => {
    const a = await loadBlobs(base);
    const b = await loadBlobs({ ...base, trainSize: 50 });
    const c = await loadBlobs({ ...base, seed: 3 });
    expect(await b.testX.data()).toEqual(await a.testX.data());
    expect(await b.testY.data()).toEqual(await a.testY.data());
    expect(await c.testX.data()).not.toEqual(await a.testX.data());
    for (const ds of [a, b, c]) ds.dispose();
  });
});

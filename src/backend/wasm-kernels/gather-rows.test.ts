import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { compareWithCpu, initBackends, normal, runOn, type Input } from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

function indices(n: number, rows: number): Input {
  return { shape: [n], data: Int32Array.from({ length: n }, () => Math.floor(Math.random() * rows)), dtype: 'int32' };
}

describe('fast GatherV2 on wasm matches cpu', () => {
  useLeakCheck();
  it.each([
    [[50, 28, 28, 1], 17],
    [[30, 7], 64],
    [[9], 5],
  ])('rows of %j, %i random indices (with repeats)', async (shape, n) => {
    expect(await compareWithCpu([normal(shape), indices(n, shape[0])], (x, i) => tf.gather(x, i))).toBe(0);
  });

  it('handles 2-D indices, int32 data, other axes and batchDims like cpu', async () => {
    const idx2: Input = { shape: [2, 3], data: Int32Array.from([4, 0, 2, 2, 1, 3]), dtype: 'int32' };
    expect(await compareWithCpu([normal([5, 3]), idx2], (x, i) => tf.gather(x, i))).toBe(0);
    const ints: Input = { shape: [4, 2], data: Int32Array.from([1, -2, 3, 4, 5, -6, 7, 8]), dtype: 'int32' };
    const picked = await runOn('wasm', [ints, { shape: [3], data: Int32Array.from([3, 0, 3]), dtype: 'int32' }], (x, i) => tf.gather(x, i));
    expect(picked.shapes[0]).toEqual([3, 2]);
    expect(Array.from(picked.values[0])).toEqual([7, 8, 1, -2, 7, 8]);
    expect(await compareWithCpu([normal([3, 6, 2]), indices(4, 6)], (x, i) => tf.gather(x, i, 1))).toBe(0);
    expect(await compareWithCpu([normal([2, 5, 3]), { shape: [2, 2], data: Int32Array.from([0, 4, 3, 1]), dtype: 'int32' }],
      (x, i) => tf.gather(x, i, 1, 1))).toBe(0);
  });

  it('gives the same gradient (UnsortedSegmentSum) as cpu', async () => {
    const err = await compareWithCpu([normal([10, 4]), indices(12, 10)], (x, i) =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.gather(a, i))))(x));
    expect(err).toBeLessThan(1e-4);
  });
});

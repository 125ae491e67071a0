import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { planBlockSwap } from './transpose.ts';
import { compareWithCpu, initBackends, normal } from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

describe('planBlockSwap', () => {
  it.each([
    [[1024, 784], [1, 0], { batch: 1, rows: 1024, cols: 784, inner: 1 }],
    [[1, 1024, 784], [0, 2, 1], { batch: 1, rows: 1024, cols: 784, inner: 1 }],
    [[3, 4, 5], [0, 2, 1], { batch: 3, rows: 4, cols: 5, inner: 1 }],
    [[64, 28, 28, 16], [1, 2, 0, 3], { batch: 1, rows: 64, cols: 784, inner: 16 }],
    [[2, 3, 4, 5], [0, 2, 1, 3], { batch: 2, rows: 3, cols: 4, inner: 5 }],
    [[2, 1, 4, 5], [3, 1, 0, 2], { batch: 1, rows: 8, cols: 5, inner: 1 }],
    [[2, 3, 4], [0, 1, 2], null],
    [[2, 3, 4, 5], [1, 0, 3, 2], null],
    [[2, 3, 4], [2, 1, 0], null],
  ])('shape %j perm %j -> %j', (shape, perm, expected) => {
    expect(planBlockSwap(shape, perm)).toEqual(expected);
  });
});

describe('Transpose on wasm matches cpu', () => {
  useLeakCheck();
  it.each([
    [[37, 53], [1, 0]],
    [[1, 130, 67], [0, 2, 1]],
    [[3, 17, 9], [0, 2, 1]],
    [[6, 5, 7, 3], [1, 2, 0, 3]],
    [[4, 9, 11, 2], [0, 2, 1, 3]],
    [[4, 6, 10, 3], [3, 1, 2, 0]],
    [[2, 3, 4, 5], [1, 0, 3, 2]],
  ])('shape %j perm %j (float32 and int32)', async (shape, perm) => {
    const x = normal(shape);
    const ints = { shape, data: Int32Array.from(x.data, (v) => Math.round(v * 1000)), dtype: 'int32' as const };
    expect(await compareWithCpu([x], (a) => tf.transpose(a, perm))).toBe(0);
    expect(await compareWithCpu([ints], (a) => tf.transpose(a, perm))).toBe(0);
  });
});

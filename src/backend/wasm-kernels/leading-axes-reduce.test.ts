import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { TOLERANCE, compareWithCpu, initBackends, normal } from '../../../test/support/wasm-vs-cpu.ts';
import { leadingAxesCount } from './leading-axes-reduce.ts';

beforeAll(initBackends);

describe('leadingAxesCount', () => {
  it.each([
    [[0, 1, 2], 4, 3],
    [[2, 0, 1], 4, 3],
    [0, 2, 1],
    [[-4, -3], 4, 2],
    [[1, 2], 4, null],
    [[0, 1, 2, 3], 4, null],
    [[0, 2], 3, null],
    [[], 3, null],
  ])('axis %j of rank %i -> %j', (axis, rank, expected) => {
    expect(leadingAxesCount(axis as number | number[], rank as number)).toBe(expected);
  });
});

describe('sum and mean on wasm match cpu', () => {
  useLeakCheck();
  it.each([
    [[16, 12, 12, 8], [0, 1, 2], 0],
    [[16, 12, 12, 8], [0, 1, 2], 5],
    [[7, 5, 3], [0], 0],
    [[300, 10], [0], 1],
    [[7, 5, 3], [1], 0],
    // A full reduction has one output: around mean 0 it can cancel to near 0, and an error relative
    // to that one value measures rounding amplified by cancellation (3.7e-4 seen), not the kernel.
    [[7, 5, 3], [0, 1, 2], 3],
  ])('x %j over %j, N(%i,1)', async (shape, axes, mean) => {
    const err = await compareWithCpu([normal(shape, mean)], (x) => [
      tf.sum(x, axes),
      tf.mean(x, axes),
      tf.sum(x, axes, true),
      tf.mean(x, axes, true),
    ]);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('leaves int32 sums to the stock kernel, exactly', async () => {
    const x = { shape: [6, 4], data: Int32Array.from({ length: 24 }, (_, i) => i * 7 - 50), dtype: 'int32' as const };
    expect(await compareWithCpu([x], (t) => tf.sum(t, 0))).toBe(0);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import {
  TOLERANCE, compareWithCpu, initBackends, normal, relError, runOn, type Input,
} from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

function ids(n: number, lo: number, hi: number): Input {
  return { shape: [n], data: Int32Array.from({ length: n }, () => lo + Math.floor(Math.random() * (hi - lo))), dtype: 'int32' };
}

describe('unsortedSegmentSum on wasm matches cpu', () => {
  useLeakCheck();
  it.each([
    [[12, 3], 5],
    [[40, 2, 3], 7],
    [[9], 4],
  ])('x %j into %i segments, duplicate ids', async (xShape, segments) => {
    const err = await compareWithCpu([normal(xShape), ids(xShape[0], 0, segments)], (x, s) =>
      tf.unsortedSegmentSum(x, s as tf.Tensor1D, segments),
    );
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('drops ids outside [0, numSegments), even when their rows hold NaN', async () => {
    // The cpu kernel multiplies by a 0/1 mask, so a NaN in a dropped row poisons its output;
    // the reference here is a plain loop.
    const x = normal([10, 4]);
    x.data[4 * 9 + 1] = NaN;
    const idList = [0, 3, -1, 2, 5, 2, 0, 4, 3, 9];
    const expected = new Float32Array(5 * 4);
    idList.forEach((id, row) => {
      if (id < 0 || id >= 5) return;
      for (let j = 0; j < 4; j++) expected[id * 4 + j] += x.data[row * 4 + j];
    });
    const s: Input = { shape: [10], data: Int32Array.from(idList), dtype: 'int32' };
    const got = await runOn('wasm', [x, s], (a, b) => tf.unsortedSegmentSum(a, b as tf.Tensor1D, 5));
    expect(relError(got.values[0], expected)).toBeLessThan(TOLERANCE);
  });

  it('sums int32 data', async () => {
    const x: Input = { shape: [8, 2], data: Int32Array.from({ length: 16 }, () => Math.floor(Math.random() * 100)), dtype: 'int32' };
    expect(await compareWithCpu([x, ids(8, 0, 3)], (a, b) => tf.unsortedSegmentSum(a, b as tf.Tensor1D, 3))).toBe(0);
  });

  it('gives tf.gather a gradient (embedding lookup)', async () => {
    const err = await compareWithCpu([normal([6, 4]), ids(15, 0, 6), normal([15, 4])], (table, idx, dy) =>
      tf.grad((t: tf.Tensor) => tf.gather(t, idx))(table, dy),
    );
    expect(err).toBeLessThan(TOLERANCE);
  });
});

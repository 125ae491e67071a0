import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import {
  TOLERANCE, compareWithCpu, initBackends, normal, shapeOf, type Input, type Shape4,
} from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

type Case = [xShape: number[], filter: number, stride: number, pad: 'same' | 'valid', mean: number];

// mean -3: almost every window is all-negative, which the stock wasm kernel gets wrong.
const CASES: Case[] = [
  [[2, 8, 8, 3], 2, 2, 'valid', -3],
  [[2, 8, 8, 3], 2, 2, 'valid', 0],
  [[2, 9, 7, 3], 2, 2, 'same', -3],
  [[2, 9, 7, 3], 2, 2, 'valid', 0],
  [[2, 9, 7, 3], 3, 2, 'same', 0],
  [[2, 9, 7, 3], 3, 2, 'same', -3],
  [[2, 9, 7, 3], 3, 1, 'valid', -3],
  [[2, 9, 7, 3], 2, 1, 'same', 0],
  [[1, 10, 10, 2], 3, 3, 'valid', -3],
];

function maxPoolGrads(filter: number, stride: number, pad: 'same' | 'valid') {
  return (x: tf.Tensor, dy: tf.Tensor) =>
    tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, filter, stride, pad))(x, dy);
}

describe('maxPool gradient on wasm matches cpu', () => {
  useLeakCheck();
  it.each(CASES)('x %j filter %i stride %i %s, N(%i,1) input', async (xShape, filter, stride, pad, mean) => {
    const yShape = shapeOf(() => tf.maxPool(tf.zeros(xShape as Shape4) as tf.Tensor4D, filter, stride, pad));
    const inputs: Input[] = [normal(xShape, mean), normal(yShape)];
    expect(await compareWithCpu(inputs, maxPoolGrads(filter, stride, pad))).toBeLessThan(TOLERANCE);
  });

  it.each([[2, 2, 'same'], [3, 2, 'same'], [2, 1, 'same'], [2, 2, 'valid']] as const)('gives tied windows to their first maximum (filter %i stride %i %s)', async (filter, stride, pad) => {
    // Small integers make ties common, as ReLU zeros do in a real network.
    const xShape = pad === 'valid' ? [2, 8, 10, 2] : [2, 8, 9, 2];
    const data = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, () => Math.floor(Math.random() * 3) - 2);
    const yShape = shapeOf(() => tf.maxPool(tf.zeros(xShape as Shape4) as tf.Tensor4D, filter, stride, pad));
    const inputs: Input[] = [{ shape: xShape, data }, normal(yShape)];
    expect(await compareWithCpu(inputs, maxPoolGrads(filter, stride, pad))).toBeLessThan(TOLERANCE);
  });

  it('keeps the stock AvgPoolGrad, which agrees with cpu', async () => {
    const xShape = [2, 9, 7, 3];
    for (const [filter, stride, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same']] as const) {
      const yShape = shapeOf(() => tf.avgPool(tf.zeros(xShape as Shape4) as tf.Tensor4D, filter, stride, pad));
      const err = await compareWithCpu([normal(xShape), normal(yShape)], (x, dy) =>
        tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, filter, stride, pad))(x, dy),
      );
      expect(err).toBeLessThan(TOLERANCE);
    }
  });
});

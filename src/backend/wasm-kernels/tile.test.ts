import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { compareWithCpu, initBackends, normal, runOn, type Input } from '../../../test/support/wasm-vs-cpu.ts';
import { planBroadcastTile } from './tile.ts';

beforeAll(initBackends);

describe('planBroadcastTile', () => {
  it.each([
    [[1, 256], [64, 1], { xShape: [1, 256], zShape: [64, 1] }, 'repeats a size-1 axis'],
    [[64, 1, 1, 16], [1, 28, 28, 1], { xShape: [64, 1, 16], zShape: [1, 784, 1] }, 'merges adjacent repeat axes'],
    [[3, 4], [2, 5], { xShape: [1, 3, 1, 4], zShape: [2, 1, 5, 1] }, 'interleaves repeats and data'],
    [[2, 3], [1, 1], { xShape: [6], zShape: [1] }, 'merges data axes'],
    [[1], [1], { xShape: [1], zShape: [1] }, 'keeps one axis for a single element'],
  ])('%j x %j -> %j (%s)', (shape, reps, expected) => {
    expect(planBroadcastTile(shape, reps)).toEqual(expected);
  });

  it('refuses plans above six axes, so the stock kernel runs', () => {
    expect(planBroadcastTile([2, 3, 4, 5], [2, 2, 2, 2])).toBeNull();
  });
});

describe('tile on wasm matches cpu', () => {
  useLeakCheck();
  it.each([
    [[3, 1, 4], [2, 5, 3]],
    [[64, 1, 1, 4], [1, 7, 7, 1]],
    [[5], [4]],
    [[2, 3, 4, 5], [2, 2, 2, 2]],
    [[2, 3], [1, 1]],
  ])('x %j reps %j', async (shape, reps) => {
    expect(await compareWithCpu([normal(shape)], (x) => tf.tile(x, reps))).toBe(0);
  });

  it('tiles int32 and bool exactly', async () => {
    const ints: Input = { shape: [2, 3], data: Int32Array.from([1, -2, 3, 4, 5, -6]), dtype: 'int32' };
    expect(await compareWithCpu([ints], (x) => tf.tile(x, [3, 2]))).toBe(0);
    const f = (x: tf.Tensor) => tf.cast(tf.tile(tf.greater(x, 0), [2, 1, 3]), 'int32');
    const input = normal([2, 2, 2]);
    const cpu = await runOn('cpu', [input], f);
    const wasm = await runOn('wasm', [input], f);
    expect(Array.from(wasm.values[0])).toEqual(Array.from(cpu.values[0]));
  });

  it('serves tf.broadcastTo and tf.where', async () => {
    const err = await compareWithCpu([normal([4, 1]), normal([1, 5])], (a, b) => [
      tf.broadcastTo(a, [3, 4, 5]),
      tf.where(tf.greater(a, 0), a, b),
    ]);
    expect(err).toBe(0);
  });
});

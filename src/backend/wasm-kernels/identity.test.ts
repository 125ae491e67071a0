import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { compareWithCpu, initBackends, normal } from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

describe('zero-copy Identity on wasm', () => {
  useLeakCheck();
  it('clone matches cpu and shares the input data', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 5, 6]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    x.dispose(); // the clone keeps the shared data alive
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    expect(y.shape).toEqual([4, 5, 6]);
    y.dispose();
    expect(await compareWithCpu([normal([3, 7])], (x) => tf.clone(x))).toBe(0);
  });

  it('keeps saved activations intact through a gradient step', async () => {
    // exp saves its output for the backward pass (through Identity); the gradient must still see it.
    const err = await compareWithCpu([normal([8, 16]), normal([16, 4])], (x, w) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.exp(tf.relu(tf.matMul(a, b)))))([x, w]));
    expect(err).toBeLessThan(1e-4);
  });
});

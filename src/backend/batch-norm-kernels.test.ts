/**
 * Training-mode batch norm (batchNormTrain and its gradient) against tfjs's own composition,
 * tf.moments + tf.batchNorm differentiated by tfjs autodiff on the cpu backend, on fresh random
 * inputs: the array kernels on wasm and on cpu, and the composed kernels other backends use.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { batchNormTrain, composedBatchNormTrain, composedBatchNormTrainGrad, BN_TRAIN, BN_TRAIN_GRAD } from '../models/batch-norm-train.ts';
import { registerBatchNormKernels } from './batch-norm-kernels.ts';
import { TOLERANCE, initBackends, normal, relError, runOn, type Input } from '../../test/support/wasm-vs-cpu.ts';

const EPS = 1e-3;

/** Output y, mean, variance and the gradients of sum(w*y) + sum(u*mean) + sum(v*variance). */
type Forward = (x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor[];

function withGrads(forward: Forward, statsGrad: boolean) {
  return (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, w: tf.Tensor, u: tf.Tensor, v: tf.Tensor): tf.Tensor[] => {
    const outs = forward(x, gamma as tf.Tensor1D, beta as tf.Tensor1D);
    const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const [y, mean, variance] = forward(a, g as tf.Tensor1D, b as tf.Tensor1D);
      const main = tf.sum(tf.mul(y, w));
      return statsGrad ? tf.add(main, tf.add(tf.sum(tf.mul(mean, u)), tf.sum(tf.mul(variance, v)))) : main;
    };
    return [...outs, ...tf.grads(loss)([x, gamma, beta])];
  };
}

const ours: Forward = (x, g, b) => {
  const { y, mean, variance } = batchNormTrain(x, g, b, EPS);
  return [y, mean, variance];
};

/** The reference: what tfjs-layers' BatchNormalization does in training. */
const reference: Forward = (x, g, b) => {
  const { mean, variance } = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, i) => i));
  return [tf.batchNorm(x, mean, variance, b, g, EPS), mean, variance];
};

function inputs(shape: number[], mean: number): Input[] {
  const c = shape[shape.length - 1];
  return [normal(shape, mean, 2), normal([c], 1, 0.5), normal([c]), normal(shape), normal([c]), normal([c])];
}

// Channel counts cover whole 4-channel blocks (16, 32), blocks plus a remainder (6) and
// remainders only (3); means far from 0 check the variance for cancellation.
const CASES: [number[], number][] = [
  [[8, 6, 6, 16], 0],
  [[4, 5, 7, 6], 5],
  [[3, 4, 4, 32], -2],
  [[32, 3], 100],
  [[17, 12], 0],
  [[2, 3, 3], 1],
];

async function worstError(backend: 'cpu' | 'wasm', shape: number[], mean: number, statsGrad: boolean): Promise<number> {
  const data = inputs(shape, mean);
  const ref = await runOn('cpu', data, withGrads(reference, statsGrad));
  const got = await runOn(backend, data, withGrads(ours, statsGrad));
  expect(got.shapes).toEqual(ref.shapes);
  return Math.max(...ref.values.map((r, i) => relError(got.values[i], r)));
}

describe('batchNormTrain: the array kernels match tfjs autodiff of moments + batchNorm', () => {
  useLeakCheck();
  beforeAll(async () => {
    await initBackends(); // wasm kernels registered; cpu first runs the composed fallback
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(CASES)('wasm, x %j with mean %d: y, mean, variance, dx, dgamma, dbeta', async (shape, mean) => {
    expect(await worstError('wasm', shape, mean, false)).toBeLessThan(TOLERANCE);
  });

  it.each(CASES)('wasm, x %j with mean %d, with gradients on the statistics outputs too', async (shape, mean) => {
    expect(await worstError('wasm', shape, mean, true)).toBeLessThan(TOLERANCE);
  });

  it('composed fallback (any backend without array kernels), forward and backward', async () => {
    await tf.setBackend('cpu');
    for (const name of [BN_TRAIN, BN_TRAIN_GRAD]) {
      if (tf.getKernel(name, 'cpu') != null) tf.unregisterKernel(name, 'cpu');
    }
    for (const [shape, mean] of CASES) {
      expect(await worstError('cpu', shape, mean, true)).toBeLessThan(TOLERANCE);
    }
    // batchNormTrain registered the composed pair for cpu on first use.
    expect(tf.getKernel(BN_TRAIN, 'cpu')).toBeDefined();
    expect(tf.getKernel(BN_TRAIN_GRAD, 'cpu')).toBeDefined();
  });

  it('cpu array kernels', async () => {
    registerBatchNormKernels('cpu');
    for (const [shape, mean] of CASES) {
      expect(await worstError('cpu', shape, mean, true)).toBeLessThan(TOLERANCE);
    }
  });

  it('composed backward equals the array backward (the closed form both implement)', async () => {
    const data = inputs([6, 5, 5, 6], 3);
    const grad = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => {
      const [, mean, variance] = composedBatchNormTrain(x, g as tf.Tensor1D, b as tf.Tensor1D, EPS);
      return composedBatchNormTrainGrad(dy, x, g as tf.Tensor1D, mean as tf.Tensor1D, variance as tf.Tensor1D, EPS);
    };
    const viaKernel = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) =>
      tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(a, gg as tf.Tensor1D, bb as tf.Tensor1D, EPS).y, dy)))([x, g, b]);
    const composed = await runOn('cpu', data.slice(0, 4), grad);
    const kernel = await runOn('wasm', data.slice(0, 4), viaKernel);
    composed.values.forEach((c, i) => expect(relError(kernel.values[i], c)).toBeLessThan(TOLERANCE));
  });

  it('leaves no tensors behind, forward and backward, on both backends', async () => {
    // useLeakCheck() above counts the tensors around this test.
    for (const backend of ['wasm', 'cpu'] as const) await runOn(backend, inputs([4, 3, 3, 8], 0), withGrads(ours, true));
  });

  it('refuses non-float32 or mismatched inputs with the shapes it got', () => {
    tf.tidy(() => {
      expect(() => batchNormTrain(tf.zeros([4, 3]), tf.ones([2]), tf.zeros([3]), EPS)).toThrow(/channel count/);
      expect(() => batchNormTrain(tf.zeros([4], 'float32'), tf.ones([4]), tf.zeros([4]), EPS)).toThrow(/rank >= 2/);
      expect(() => batchNormTrain(tf.zeros([4, 3], 'int32'), tf.ones([3]), tf.zeros([3]), EPS)).toThrow(/float32/);
    });
  });
});

/**
 * batchlab's BatchNorm layer against tfjs-layers' BatchNormalization (the independent
 * reference): same outputs in training and inference, same gradients, same moving statistics
 * after several training calls, on cpu and on wasm, from fresh random inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { initBackends, relError } from '../../test/support/wasm-vs-cpu.ts';
import { BatchNorm } from './batch-norm.ts';

const EPS = 1e-5;
const MOMENTUM = 0.9;
const TOLERANCE = 1e-4;

interface Trace {
  train: Float32Array[];
  grads: Float32Array[];
  infer: Float32Array;
  weights: Float32Array[];
}

/** Three training calls (outputs and gradients of sum(w*y)), then weights and an inference call. */
function trace(layer: tf.layers.Layer, shape: number[], xs: Float32Array[], w: Float32Array): Trace {
  const input = tf.input({ shape: shape.slice(1) });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  const vars = model.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
  const train: Float32Array[] = [];
  const grads: Float32Array[] = [];
  const wt = tf.tensor(w, shape);
  for (const data of xs) {
    const x = tf.tensor(data, shape);
    const { value, grads: g } = tf.variableGrads(() => {
      const y = model.apply(x, { training: true }) as tf.Tensor;
      train.push(Float32Array.from(y.dataSync()));
      return tf.sum(tf.mul(y, wt));
    }, vars);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(model.apply(a, { training: true }) as tf.Tensor, wt)))(x);
    grads.push(...vars.map((v) => Float32Array.from(g[v.name].dataSync())), Float32Array.from(dx.dataSync()));
    tf.dispose([x, value, dx, ...Object.values(g)]);
  }
  const xInfer = tf.tensor(xs[0], shape);
  const yInfer = model.predict(xInfer) as tf.Tensor;
  const result = {
    train, grads, infer: Float32Array.from(yInfer.dataSync()),
    weights: model.getWeights().map((t) => Float32Array.from(t.dataSync())),
  };
  tf.dispose([wt, xInfer, yInfer]);
  model.dispose();
  return result;
}

function randomData(size: number, mean: number): Float32Array {
  return Float32Array.from({ length: size }, () => mean + 3 * (Math.random() * 2 - 1));
}

describe('BatchNorm equals tf.layers.batchNormalization', () => {
  beforeAll(initBackends);
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  useLeakCheck();

  it.each([
    ['cpu', [8, 4, 4, 6]],
    ['wasm', [8, 4, 4, 6]],
    ['wasm', [16, 10]],
    ['cpu', [5, 3, 3, 16]],
  ] as const)('on %s, input %j: training outputs, gradients, moving statistics, inference', async (backend, shape) => {
    await tf.setBackend(backend);
    const size = shape.reduce((a, b) => a * b, 1);
    const xs = [randomData(size, 2), randomData(size, -1), randomData(size, 0)];
    const w = randomData(size, 0);
    const ours = trace(new BatchNorm({ momentum: MOMENTUM, epsilon: EPS }), [...shape], xs, w);
    const ref = trace(tf.layers.batchNormalization({ momentum: MOMENTUM, epsilon: EPS }), [...shape], xs, w);
    const pairs: [Float32Array, Float32Array][] = [
      ...ours.train.map((t, i) => [t, ref.train[i]] as [Float32Array, Float32Array]),
      ...ours.grads.map((t, i) => [t, ref.grads[i]] as [Float32Array, Float32Array]),
      ...ours.weights.map((t, i) => [t, ref.weights[i]] as [Float32Array, Float32Array]),
      [ours.infer, ref.infer],
    ];
    for (const [a, b] of pairs) expect(relError(a, b)).toBeLessThan(TOLERANCE);
    // The statistics did move (three training calls), so the comparison above was not trivial.
    expect(ours.weights[2].some((m) => m !== 0)).toBe(true);
  });

  it('survives a toJSON / modelFromJSON round trip with identical outputs', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [3, 3, 2] });
    const out = new BatchNorm({ momentum: 0.8, name: 'bn' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const random = model.getWeights().map((w) => tf.randomUniform(w.shape, 0.5, 2));
    model.setWeights(random);
    const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as Parameters<typeof tf.models.modelFromJSON>[0]);
    restored.setWeights(model.getWeights());
    const layer = restored.getLayer('bn') as BatchNorm;
    expect(layer).toBeInstanceOf(BatchNorm);
    expect([layer.momentum, layer.epsilon]).toEqual([0.8, EPS]);
    const x = tf.randomNormal([4, 3, 3, 2]);
    const [a, b] = [model.predict(x) as tf.Tensor, restored.predict(x) as tf.Tensor];
    expect(relError(b.dataSync() as Float32Array, a.dataSync() as Float32Array)).toBe(0);
    tf.dispose([x, a, b, ...random]);
    model.dispose();
    restored.dispose();
  });
});

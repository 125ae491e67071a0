/**
 * InputDense against tf.layers.dense (the reference) with the same weights, on fresh random
 * inputs: outputs in training and inference calls, and the gradients of the kernel, the bias and
 * (when asked for) the input.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackends, relError } from '../backend/wasm-kernels/test-support.ts';
import { InputDense } from './input-dense.ts';

const TOLERANCE = 1e-5;

function values(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync());
}

/** Outputs (training, inference) and gradients of sum(w * y) for the kernel, bias and input. */
function run(layer: tf.layers.Layer, features: number, x: tf.Tensor2D, weights: tf.Tensor[]): Float32Array[] {
  const input = tf.input({ shape: [features] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  model.setWeights(weights);
  const out: Float32Array[] = [];
  tf.tidy(() => {
    const yTrain = model.apply(x, { training: true }) as tf.Tensor;
    const w = tf.randomUniform(yTrain.shape, -1, 1, 'float32', 7);
    const f = (a: tf.Tensor) => tf.sum(tf.mul(model.apply(a, { training: true }) as tf.Tensor, w));
    const vars = model.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
    const { grads } = tf.variableGrads(() => f(x) as tf.Scalar, vars);
    out.push(values(yTrain), values(model.predict(x) as tf.Tensor), ...vars.map((v) => values(grads[v.name])), values(tf.grad(f)(x)));
  });
  model.dispose();
  return out;
}

describe('InputDense equals tf.layers.dense', () => {
  beforeAll(initBackends);
  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['cpu', 7, 13, 5, true],
    ['wasm', 33, 20, 9, true],
    ['wasm', 4, 6, 3, false],
  ] as const)('%s: batch %i, %i features -> %i units, bias %s', async (backend, batch, features, units, useBias) => {
    await tf.setBackend(backend);
    const ours = new InputDense({ units, useBias });
    const ref = tf.layers.dense({ units, useBias });
    const x = tf.randomNormal([batch, features]) as tf.Tensor2D;
    const weights = [tf.randomNormal([features, units]), ...(useBias ? [tf.randomNormal([units])] : [])];
    const got = run(ours, features, x, weights);
    const want = run(ref, features, x, weights);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => expect(relError(got[i], w)).toBeLessThan(TOLERANCE));
    expect(ours.computeOutputShape([null, features])).toEqual([null, units]);
    tf.dispose([x, ...weights]);
  });

  it('survives a toJSON / modelFromJSON round trip', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [5] });
    const model = tf.model({ inputs: input, outputs: new InputDense({ units: 3, useBias: false, name: 'd' }).apply(input) as tf.SymbolicTensor });
    const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as Parameters<typeof tf.models.modelFromJSON>[0]);
    restored.setWeights(model.getWeights());
    const layer = restored.getLayer('d') as InputDense;
    expect([layer.units, layer.useBias]).toEqual([3, false]);
    const x = tf.randomNormal([4, 5]);
    const [a, b] = [model.predict(x) as tf.Tensor, restored.predict(x) as tf.Tensor];
    expect(relError(values(b), values(a))).toBe(0);
    tf.dispose([x, a, b]);
    model.dispose();
    restored.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { UsageError } from '../errors.ts';
import { relError } from '../../test/support/wasm-vs-cpu.ts';
import { roundTrip } from '../../test/support/layer-trace.ts';
import { GroupNorm } from './group-norm.ts';

const EPS = 1e-5;

/**
 * Float64 closed form of GroupNorm on a flat NHWC (or NC) array: per example and group, mean and
 * biased variance over spatial x channels-in-group, then gamma/beta per channel.
 */
function referenceGroupNorm(x: ArrayLike<number>, shape: number[], groups: number, gamma: ArrayLike<number>, beta: ArrayLike<number>): Float64Array {
  const n = shape[0];
  const c = shape[shape.length - 1];
  const spatial = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const per = c / groups;
  const out = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let s = 0; s < spatial; s++) for (let k = 0; k < per; k++) idx.push((b * spatial + s) * c + g * per + k);
      const mean = idx.reduce((a, i) => a + x[i], 0) / idx.length;
      const variance = idx.reduce((a, i) => a + (x[i] - mean) ** 2, 0) / idx.length;
      for (const i of idx) {
        const ch = i % c;
        out[i] = ((x[i] - mean) / Math.sqrt(variance + EPS)) * gamma[ch] + beta[ch];
      }
    }
  }
  return out;
}

/** A built GroupNorm with random gamma/beta; returns the layer and its gamma/beta values. */
function randomLayer(shape: number[], groups: number): { layer: GroupNorm; gamma: Float32Array; beta: Float32Array } {
  const c = shape[shape.length - 1];
  const layer = new GroupNorm({ groups });
  layer.apply(tf.input({ shape: shape.slice(1) })); // builds it and lets dispose() release the weights
  const gamma = tf.tidy(() => tf.randomUniform([c], 0.5, 1.5));
  const beta = tf.randomNormal([c]);
  layer.setWeights([gamma, beta]);
  const values = { gamma: gamma.dataSync() as Float32Array, beta: beta.dataSync() as Float32Array };
  tf.dispose([gamma, beta]);
  return { layer, ...values };
}

const CASES: { shape: number[]; groups: number }[] = [
  { shape: [3, 5, 4, 8], groups: 1 },
  { shape: [3, 5, 4, 8], groups: 2 },
  { shape: [3, 5, 4, 8], groups: 8 },
  { shape: [2, 3, 3, 12], groups: 3 },
  { shape: [4, 16], groups: 1 },
  { shape: [4, 16], groups: 4 },
  { shape: [4, 16], groups: 16 },
];

describe('GroupNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  useLeakCheck();

  it.each(CASES)('matches the float64 closed form for $shape with $groups groups (< 1e-5 relative)', ({ shape, groups }) => {
    const { layer, gamma, beta } = randomLayer(shape, groups);
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape), 3), 2));
    const y = layer.apply(x) as tf.Tensor;
    const expected = referenceGroupNorm(x.dataSync(), shape, groups, gamma, beta);
    expect(relError(y.dataSync(), expected)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    layer.dispose();
  });

  // Groups of at least 4 values: with 2 values the normalised outputs are +-1 and the input
  // gradient is float32 rounding noise, which no tolerance separates from a bug.
  it.each([
    { shape: [2, 3, 3, 4], groups: 2 },
    { shape: [3, 12], groups: 3 },
  ])('gradients for $shape, $groups groups match float64 central differences', ({ shape, groups }) => {
    const { layer, gamma, beta } = randomLayer(shape, groups);
    const x = tf.randomNormal(shape);
    const w = tf.randomNormal(shape); // loss = sum(w * y) weighs every output differently
    const xs = Float64Array.from(x.dataSync());
    const ws = w.dataSync();
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const { dx, dGamma, dBeta } = tf.tidy(() => {
      const dx = tf.grad((xin: tf.Tensor) => tf.sum(tf.mul(layer.apply(xin) as tf.Tensor, w)))(x);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, w)) as tf.Scalar, vars);
      return { dx: dx.dataSync(), dGamma: grads[vars[0].name].dataSync(), dBeta: grads[vars[1].name].dataSync() };
    });
    const g64 = Float64Array.from(gamma);
    const b64 = Float64Array.from(beta);
    const loss = (xv: Float64Array, gv: Float64Array, bv: Float64Array): number =>
      referenceGroupNorm(xv, shape, groups, gv, bv).reduce((a, v, i) => a + v * ws[i], 0);
    const h = 1e-6;
    const central = (arr: Float64Array, i: number): number => {
      const keep = arr[i];
      arr[i] = keep + h;
      const up = loss(xs, g64, b64);
      arr[i] = keep - h;
      const down = loss(xs, g64, b64);
      arr[i] = keep;
      return (up - down) / (2 * h);
    };
    const numDx = xs.map((_, i) => central(xs, i));
    const numGamma = g64.map((_, i) => central(g64, i));
    const numBeta = b64.map((_, i) => central(b64, i));
    expect(relError(dx, numDx)).toBeLessThan(1e-4);
    expect(relError(dGamma, numGamma)).toBeLessThan(1e-4);
    expect(relError(dBeta, numBeta)).toBeLessThan(1e-4);
    tf.dispose([x, w]);
    layer.dispose();
  });

  it('with one group equals tf.layers.layerNormalization on dense features', () => {
    const gn = new GroupNorm({ groups: 1 });
    const ln = tf.layers.layerNormalization({ epsilon: EPS });
    const symbolic = tf.input({ shape: [10] });
    gn.apply(symbolic);
    ln.apply(symbolic);
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([5, 10]), 2), 1));
    const [a, b] = [gn.apply(x) as tf.Tensor, ln.apply(x) as tf.Tensor];
    expect(relError(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    gn.dispose();
    ln.dispose();
  });

  it('survives a toJSON / modelFromJSON round trip with identical outputs', async () => {
    const input = tf.input({ shape: [6, 6, 4] });
    let h = new GroupNorm({ groups: 2, name: 'gn_conv' }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 6 }).apply(h) as tf.SymbolicTensor;
    const out = new GroupNorm({ groups: 3, name: 'gn_dense' }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    // Random gamma/beta so a lost or reordered weight shows in the outputs.
    const randomized = model.getWeights().map((w) => tf.randomNormal(w.shape));
    model.setWeights(randomized);
    const x = tf.randomNormal([2, 6, 6, 4]);
    const { restored, before, after } = await roundTrip(model, x);
    expect((restored.getLayer('gn_dense') as GroupNorm).groups).toBe(3);
    expect(restored.getLayer('gn_conv')).toBeInstanceOf(GroupNorm);
    expect(relError(after, before)).toBe(0);
    tf.dispose([x, ...randomized]);
    model.dispose();
    restored.dispose();
  });

  it('checks its own groups when used outside the registry', () => {
    const layer = new GroupNorm({ groups: 4 });
    expect(() => layer.apply(tf.input({ shape: [3, 3, 6] }))).toThrow(/groups must divide/);
    expect(() => new GroupNorm({ groups: 0 })).toThrow(UsageError);
  });
});

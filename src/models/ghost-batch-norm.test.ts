import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { UsageError } from '../errors.ts';
import { relError } from '../../test/support/wasm-vs-cpu.ts';
import { roundTrip } from '../../test/support/layer-trace.ts';
import { GhostBatchNorm } from './ghost-batch-norm.ts';

const EPS = 1e-5;
const MOMENTUM = 0.9;

interface Chunked {
  out: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
}

/**
 * Float64 ghost batch norm on a flat [N, ...spatial, C] array: consecutive chunks of `size`
 * examples (last one shorter), each normalised per channel with its own biased statistics.
 * Returns the outputs and the example-weighted averages of the chunk means and variances.
 */
function referenceGhostNorm(x: ArrayLike<number>, shape: number[], size: number, gamma: ArrayLike<number>, beta: ArrayLike<number>): Chunked {
  const n = shape[0];
  const c = shape[shape.length - 1];
  const perExample = x.length / n;
  const spatial = perExample / c;
  const out = new Float64Array(x.length);
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let start = 0; start < n; start += size) {
    const count = Math.min(size, n - start);
    for (let ch = 0; ch < c; ch++) {
      const idx: number[] = [];
      for (let b = start; b < start + count; b++) for (let s = 0; s < spatial; s++) idx.push(b * perExample + s * c + ch);
      const m = idx.reduce((a, i) => a + x[i], 0) / idx.length;
      const v = idx.reduce((a, i) => a + (x[i] - m) ** 2, 0) / idx.length;
      for (const i of idx) out[i] = ((x[i] - m) / Math.sqrt(v + EPS)) * gamma[ch] + beta[ch];
      mean[ch] += (m * count) / n;
      variance[ch] += (v * count) / n;
    }
  }
  return { out, mean, variance };
}

/** Applies `layer` symbolically (builds it, makes dispose() work) and gives it random gamma/beta. */
function prepare(layer: tf.layers.Layer, shape: number[]): { gamma: Float32Array; beta: Float32Array } {
  layer.apply(tf.input({ shape: shape.slice(1) }));
  const c = shape[shape.length - 1];
  const gamma = tf.randomUniform([c], 0.5, 1.5);
  const beta = tf.randomNormal([c]);
  // getWeights() hands out the live variables, so write gamma/beta directly instead.
  layer.weights[0].write(gamma);
  layer.weights[1].write(beta);
  const values = { gamma: gamma.dataSync() as Float32Array, beta: beta.dataSync() as Float32Array };
  tf.dispose([gamma, beta]);
  return values;
}

function weightValues(layer: tf.layers.Layer): Float32Array[] {
  return layer.weights.map((w) => w.read().dataSync() as Float32Array);
}

const randomInput = (shape: number[]): tf.Tensor => tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape), 2), 1));

describe('GhostBatchNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  useLeakCheck();

  it.each([
    { shape: [8, 4, 4, 3], ghost: 8 },
    { shape: [8, 4, 4, 3], ghost: 32 },
    { shape: [16, 5], ghost: 16 },
  ])('with one ghost batch ($shape, ghost $ghost) equals batchNormalization in training and after', ({ shape, ghost }) => {
    const gbn = new GhostBatchNorm({ ghostBatchSize: ghost });
    const bn = tf.layers.batchNormalization({ momentum: MOMENTUM, epsilon: EPS });
    const { gamma, beta } = prepare(gbn, shape);
    bn.apply(tf.input({ shape: shape.slice(1) }));
    const g = tf.tensor(gamma);
    const b = tf.tensor(beta);
    const [mm, mv] = [tf.zeros([shape.at(-1)!]), tf.ones([shape.at(-1)!])];
    bn.setWeights([g, b, mm, mv]);
    const x = randomInput(shape);
    const [yg, yb] = [gbn.apply(x, { training: true }) as tf.Tensor, bn.apply(x, { training: true }) as tf.Tensor];
    expect(relError(yg.dataSync(), yb.dataSync())).toBeLessThan(1e-5);
    // Same moving statistics afterwards, hence the same inference output.
    const [wg, wb] = [weightValues(gbn), weightValues(bn)];
    for (let i = 0; i < 4; i++) expect(relError(wg[i], wb[i])).toBeLessThan(1e-5);
    const [ig, ib] = [gbn.apply(x) as tf.Tensor, bn.apply(x) as tf.Tensor];
    expect(relError(ig.dataSync(), ib.dataSync())).toBeLessThan(1e-5);
    tf.dispose([g, b, mm, mv, x, yg, yb, ig, ib]);
    gbn.dispose();
    bn.dispose();
  });

  it.each([
    { shape: [12, 3, 3, 4], ghost: 4 },
    { shape: [10, 3, 3, 4], ghost: 4 }, // chunks 4, 4, 2
    { shape: [12, 6], ghost: 3 },
    { shape: [11, 6], ghost: 4 }, // chunks 4, 4, 3
  ])('normalises each chunk of $shape (ghost $ghost) separately and updates moving stats from them', ({ shape, ghost }) => {
    const layer = new GhostBatchNorm({ ghostBatchSize: ghost });
    const { gamma, beta } = prepare(layer, shape);
    const x = randomInput(shape);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const ref = referenceGhostNorm(x.dataSync(), shape, ghost, gamma, beta);
    expect(relError(y.dataSync(), ref.out)).toBeLessThan(1e-5);
    const [, , movingMean, movingVar] = weightValues(layer);
    expect(relError(movingMean, ref.mean.map((m) => (1 - MOMENTUM) * m))).toBeLessThan(1e-5);
    expect(relError(movingVar, ref.variance.map((v) => MOMENTUM + (1 - MOMENTUM) * v))).toBeLessThan(1e-5);
    // A whole-batch normalisation would differ clearly, so the check above can fail.
    const whole = referenceGhostNorm(x.dataSync(), shape, shape[0], gamma, beta);
    expect(relError(y.dataSync(), whole.out)).toBeGreaterThan(1e-2);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('uses the moving statistics in inference and leaves them unchanged', () => {
    const shape = [6, 5];
    const layer = new GhostBatchNorm({ ghostBatchSize: 2 });
    const { gamma, beta } = prepare(layer, shape);
    const warm = randomInput(shape);
    tf.dispose(layer.apply(warm, { training: true }) as tf.Tensor);
    const [, , mm, mv] = weightValues(layer);
    const x = randomInput(shape);
    const y = layer.apply(x, { training: false }) as tf.Tensor;
    const xs = x.dataSync();
    const expected = Array.from(xs, (v, i) => ((v - mm[i % 5]) / Math.sqrt(mv[i % 5] + EPS)) * gamma[i % 5] + beta[i % 5]);
    expect(relError(y.dataSync(), expected)).toBeLessThan(1e-5);
    const after = weightValues(layer);
    expect(after[2]).toEqual(mm);
    expect(after[3]).toEqual(mv);
    tf.dispose([warm, x, y]);
    layer.dispose();
  });

  it('input gradient in training matches float64 central differences', () => {
    const shape = [6, 2, 2, 3];
    const ghost = 4; // chunks 4 and 2
    const layer = new GhostBatchNorm({ ghostBatchSize: ghost });
    const { gamma, beta } = prepare(layer, shape);
    const x = tf.randomNormal(shape);
    const w = tf.randomNormal(shape);
    const dx = tf.tidy(() => tf.grad((xin: tf.Tensor) => tf.sum(tf.mul(layer.apply(xin, { training: true }) as tf.Tensor, w)))(x).dataSync());
    const xs = Float64Array.from(x.dataSync());
    const ws = w.dataSync();
    const loss = (): number => referenceGhostNorm(xs, shape, ghost, gamma, beta).out.reduce((a, v, i) => a + v * ws[i], 0);
    const h = 1e-6;
    const numeric = xs.map((_, i) => {
      const keep = xs[i];
      xs[i] = keep + h;
      const up = loss();
      xs[i] = keep - h;
      const down = loss();
      xs[i] = keep;
      return (up - down) / (2 * h);
    });
    expect(relError(dx, numeric)).toBeLessThan(1e-4);
    tf.dispose([x, w]);
    layer.dispose();
  });

  it('updates moving statistics inside optimizer.minimize without leaking tensors', () => {
    const input = tf.input({ shape: [4] });
    const dense = tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
    const gbn = new GhostBatchNorm({ ghostBatchSize: 4, name: 'gbn' });
    const model = tf.model({ inputs: input, outputs: gbn.apply(dense.apply(input)) as tf.SymbolicTensor });
    const x = tf.randomNormal([8, 4]);
    const opt = tf.train.sgd(0.1);
    const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const meanBefore = weightValues(gbn)[2];
    const step = (): void => {
      opt.minimize(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, false, vars);
    };
    step();
    const afterFirst = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(weightValues(gbn)[2]).not.toEqual(meanBefore);
    tf.dispose(x);
    opt.dispose();
    model.dispose();
  });

  it('survives a toJSON / modelFromJSON round trip with identical outputs', async () => {
    const input = tf.input({ shape: [3, 3, 2] });
    const out = new GhostBatchNorm({ ghostBatchSize: 5, momentum: 0.8, name: 'gbn' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const random = model.getWeights().map((w) => tf.randomUniform(w.shape, 0.5, 2));
    model.setWeights(random);
    const x = tf.randomNormal([4, 3, 3, 2]);
    const { restored, before, after } = await roundTrip(model, x);
    const layer = restored.getLayer('gbn') as GhostBatchNorm;
    expect([layer.ghostBatchSize, layer.momentum, layer.epsilon]).toEqual([5, 0.8, EPS]);
    expect(relError(after, before)).toBe(0);
    tf.dispose([x, ...random]);
    model.dispose();
    restored.dispose();
  });

  it('rejects a ghost batch size that is not a positive integer', () => {
    for (const ghostBatchSize of [0, 2.5, -4]) {
      expect(() => new GhostBatchNorm({ ghostBatchSize })).toThrow(UsageError);
    }
  });
});

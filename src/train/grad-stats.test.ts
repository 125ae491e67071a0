import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { NoiseScaleEstimator } from '../core/noise-scale.ts';
import { mulberry32, normalSampler, sampleWithoutReplacement } from '../core/prng.ts';
import { loadDataset, type Dataset } from '../data/index.ts';
import { UsageError } from '../errors.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { EpochSampler } from './batches.ts';
import {
  createGradStatsState, gradDeviationsSq, gradNormSq, gradStatsDue, measureGradStats, type GradStatsRow,
} from './grad-stats.ts';
import { reducedLoss } from './loss.ts';

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
const stdErr = (v: ArrayLike<number>) => {
  const m = mean(v);
  return Math.sqrt(Array.from(v).reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
};
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/**
 * Linear regression without bias under MSE: per-example gradient g_i = 2 (x_i.w - y_i) x_i, so G and
 * tr(Sigma) of the data set are exact sums on the host in float64.
 */
describe('against closed forms on linear regression', () => {
  const N = 8192;
  const D = 16;
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  let xs: Float32Array;
  let ys: Float32Array;
  let w: Float32Array;
  let model: tf.LayersModel;

  /** Per-example gradients of rows `rows`, float64 [rows.length][D]. */
  const hostGrads = (rows: ArrayLike<number>): Float64Array[] =>
    Array.from(rows, (i) => {
      let r = 0;
      for (let k = 0; k < D; k++) r += xs[i * D + k] * w[k];
      r -= ys[i];
      return Float64Array.from({ length: D }, (_, k) => 2 * r * xs[i * D + k]);
    });
  /** Mean G, |G|^2 and tr(Sigma) normalised by the number of rows. */
  const moments = (g: Float64Array[]) => {
    const G = new Float64Array(D);
    g.forEach((gi) => gi.forEach((v, k) => (G[k] += v / g.length)));
    const normSq = G.reduce((a, v) => a + v * v, 0);
    const trace = g.reduce((a, gi) => a + gi.reduce((s, v, k) => s + (v - G[k]) ** 2, 0), 0) / g.length;
    return { G, normSq, trace };
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const normal = normalSampler(mulberry32(21));
    const wStar = Float64Array.from({ length: D }, () => normal());
    xs = Float32Array.from({ length: N * D }, () => normal());
    ys = Float32Array.from({ length: N }, (_, i) => {
      let s = 0;
      for (let k = 0; k < D; k++) s += xs[i * D + k] * wStar[k];
      return s + normal(); // label noise sd 1
    });
    // Evaluated at w* + delta with |delta|^2 ~ 0.25: B_simple ~ ((|d|^2 + 1) D + |d|^2) / |d|^2 ~ 80.
    w = Float32Array.from(wStar, (v) => v + 0.125 * normal());
    x = tf.tensor2d(xs, [N, D]);
    y = tf.tensor2d(ys, [N, 1]);
    model = tf.sequential({ layers: [tf.layers.dense({ units: 1, useBias: false, inputShape: [D] })] });
    const kernel = tf.tensor2d(w, [D, 1]);
    model.setWeights([kernel]);
    kernel.dispose();
  });
  afterAll(() => {
    tf.dispose([x, y]);
    model.dispose();
  });
  useLeakCheck();

  it('gradNormSq equals the float64 host gradient norm of the same rows', async () => {
    const rows = sampleWithoutReplacement(N, 100, mulberry32(1));
    const idx = tf.tensor1d(rows, 'int32');
    const got = await gradNormSq(model, 'regression', x, y, idx);
    idx.dispose();
    expect(rel(got, moments(hostGrads(rows)).normSq)).toBeLessThan(1e-5);
  });

  it('the two-batch estimator matches |G|^2, tr(Sigma) and B_simple of the data set', async () => {
    const { normSq, trace } = moments(hostGrads(Array.from({ length: N }, (_, i) => i)));
    const traceS = (trace * N) / (N - 1); // sample covariance: the without-replacement estimator is unbiased for it
    const bSimple = trace / normSq;
    expect(bSimple).toBeGreaterThan(20); // a regime where both terms matter
    expect(bSimple).toBeLessThan(500);
    const small = 8;
    const big = 256;
    const draws = 1000;
    const rng = mulberry32(2);
    const pairEst = new NoiseScaleEstimator({ smallBatch: small, bigBatch: big, ema: 0 });
    const averaged = new NoiseScaleEstimator({ smallBatch: small, bigBatch: big, ema: 0.995 });
    const gs: number[] = [];
    const ts: number[] = [];
    let last = { gradNormSq: NaN, traceSigma: NaN, noiseScale: NaN };
    const norm = async (b: number) => {
      const idx = tf.tensor1d(sampleWithoutReplacement(N, b, rng), 'int32');
      const v = await gradNormSq(model, 'regression', x, y, idx);
      idx.dispose();
      return v;
    };
    for (let i = 0; i < draws; i++) {
      const s = await norm(small);
      const b = await norm(big);
      const p = pairEst.estimatePair(s, b);
      gs.push(p.gradNormSq);
      ts.push(p.traceSigma);
      last = averaged.update(s, b);
    }
    // Exact expectations under sampling without replacement: E[tr est] = tr(Sigma_s),
    // E[|G|^2 est] = |G|^2 - tr(Sigma_s)/N. One pair's tr estimate has a relative sd of about 0.8 here
    // (|G|^2: about 0.5), so 1000 pairs give standard errors of about 2.6% (1.1%): 10% is a >3.5 sd
    // bound; the ratio gets 15%.
    const gMean = mean(gs);
    const tMean = mean(ts);
    expect(Math.abs(gMean - (normSq - traceS / N))).toBeLessThan(4 * stdErr(gs));
    expect(Math.abs(tMean - traceS)).toBeLessThan(4 * stdErr(ts));
    expect(rel(gMean, normSq)).toBeLessThan(0.1);
    expect(rel(tMean, trace)).toBeLessThan(0.1);
    expect(rel(tMean / gMean, bSimple)).toBeLessThan(0.15);
    // The moving averages (ema 0.995: about 400 effective draws) land within the same bounds.
    expect(rel(last.gradNormSq, normSq)).toBeLessThan(0.1);
    expect(rel(last.traceSigma, trace)).toBeLessThan(0.1);
    expect(rel(last.noiseScale, bSimple)).toBeLessThan(0.15);
  });

  it('E||g_B - g_ref||^2 = tr(Sigma_ref)/B (R-B)/(R-1), slope -1 in log-log once corrected', async () => {
    const R = 1024;
    const referenceIdx = sampleWithoutReplacement(N, R, mulberry32(3));
    const { trace } = moments(hostGrads(referenceIdx));
    const rng = mulberry32(5);
    const sizes = [2, 8, 32, 128, 512];
    const corrected: number[] = [];
    for (const B of sizes) {
      // Small batches are heavy-tailed (4th moments of Gaussians), so they get more samples: the
      // standard error is then 1.5-3% of the mean for every B, and 12% is a 4 sd bound.
      const samples = Math.max(200, 4096 / B);
      const d = await gradDeviationsSq(model, 'regression', x, y, { batchSize: B, samples, referenceIdx, rng });
      const expected = ((trace / B) * (R - B)) / (R - 1);
      expect(rel(mean(d), expected)).toBeLessThan(0.12);
      expect(Math.abs(mean(d) - expected)).toBeLessThan(4 * stdErr(d));
      corrected.push((mean(d) * (R - 1)) / (R - B));
    }
    // Least-squares slope of log(corrected variance) on log B.
    const lx = sizes.map(Math.log);
    const ly = corrected.map(Math.log);
    const mx = mean(lx);
    const my = mean(ly);
    const slope = lx.reduce((a, v, i) => a + (v - mx) * (ly[i] - my), 0) / lx.reduce((a, v) => a + (v - mx) ** 2, 0);
    expect(Math.abs(slope + 1)).toBeLessThan(0.05);
  });

  it('rejects a batch as large as the reference set', async () => {
    await expect(gradDeviationsSq(model, 'regression', x, y, {
      batchSize: 4, samples: 1, referenceIdx: new Int32Array([0, 1, 2, 3]), rng: mulberry32(0),
    })).rejects.toThrow(UsageError);
  });
});

/** An MLP with BatchNorm and dropout: state a measurement could disturb. */
describe('on an MLP with BatchNorm and dropout', () => {
  const CFG: ModelConfig = { name: 'mlp', hidden: [16, 8], activation: 'tanh', dropout: 0.25, norm: 'batch', groups: 1 };
  const SETTINGS = {
    seed: 3, batchSize: 16,
    noiseScale: { every: 3, smallBatch: 4, bigBatch: 64 },
    gradVariance: { every: 4, samples: 3, referenceSize: 128 },
  };
  let data: Dataset;
  const snapshot = (m: tf.LayersModel) => m.weights.map((w) => (w.read().dataSync() as Float32Array).slice());

  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = await loadDataset({ name: 'blobs', classes: 3, dim: 8, spread: 1, trainSize: 300, testSize: 3, seed: 0 });
  });
  afterAll(() => data.dispose());
  useLeakCheck();

  it('gradNormSq equals |grad|^2 from tf.variableGrads with the same dropout masks', async () => {
    const model = buildModel(CFG, [8], 3, 7);
    const rows = sampleWithoutReplacement(300, 32, mulberry32(8));
    const idx = tf.tensor1d(rows, 'int32');
    const got = await gradNormSq(model, 'classification', data.trainX, data.trainY, idx, { random: mulberry32(9) });
    const saved = Math.random;
    Math.random = mulberry32(9); // tfjs dropout seeds each mask from Math.random
    const expected = tf.tidy(() => {
      const xb = tf.gather(data.trainX, idx);
      const yb = tf.gather(data.trainY, idx);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar, vars);
      value.dispose();
      return tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0];
    });
    Math.random = saved;
    idx.dispose();
    model.dispose();
    expect(rel(got, expected)).toBeLessThan(1e-5);
    expect(got).toBeGreaterThan(0);
  });

  it('leaves every weight and BatchNorm statistic bit-identical and never calls Math.random', async () => {
    const model = buildModel(CFG, [8], 3, 7);
    const start = snapshot(model);
    const state = createGradStatsState(SETTINGS, 300);
    let calls = 0;
    const saved = Math.random;
    const spy = () => {
      calls += 1;
      return saved();
    };
    Math.random = spy;
    let row: GradStatsRow;
    try {
      row = await measureGradStats({ model, data, state, step: 12, batchSize: 16 });
    } finally {
      Math.random = saved;
    }
    expect(calls).toBe(0);
    expect(snapshot(model)).toEqual(start);
    for (const key of ['grad_norm_sq', 'trace_sigma', 'noise_scale', 'grad_var', 'grad_var_iid'] as const) {
      expect(row[key], key).not.toBeUndefined();
    }
    expect(row.grad_var!).toBeGreaterThan(0);
    expect(row.grad_var_iid! / row.grad_var!).toBeCloseTo(127 / 112, 10);
    model.dispose();
  });

  it('measures only what is due, reproducibly from the seed', async () => {
    const model = buildModel(CFG, [8], 3, 7);
    const a = createGradStatsState(SETTINGS, 300);
    const b = createGradStatsState(SETTINGS, 300);
    expect([0, 1, 3, 4, 5].map((s) => gradStatsDue(a, s))).toEqual([true, false, true, true, false]);
    expect(gradStatsDue(null, 0)).toBe(false);
    expect(await measureGradStats({ model, data, state: a, step: 1, batchSize: 16 })).toEqual({});
    const rowA = await measureGradStats({ model, data, state: a, step: 3, batchSize: 16 });
    expect(Object.keys(rowA).sort()).toEqual(['grad_norm_sq', 'noise_scale', 'trace_sigma']);
    expect(await measureGradStats({ model, data, state: b, step: 3, batchSize: 16 })).toEqual(rowA);
    // A batch schedule that outgrows the reference set gives null, not an error.
    expect(await measureGradStats({ model, data, state: a, step: 4, batchSize: 128 })).toEqual({ grad_var: null, grad_var_iid: null });
    model.dispose();
  });

  it('does not change the training trajectory when called between steps', async () => {
    /** Ten SGD steps in the loop's style (own data order, dropout from a seeded Math.random). */
    const train = async (measure: boolean) => {
      const model = buildModel(CFG, [8], 3, 5);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const sampler = new EpochSampler(300, 11);
      const optimizer = tf.train.sgd(0.1);
      const state = measure ? createGradStatsState(SETTINGS, 300) : null;
      const rows: GradStatsRow[] = [];
      const saved = Math.random;
      Math.random = mulberry32(99);
      try {
        for (let step = 0; step < 10; step++) {
          if (gradStatsDue(state, step)) rows.push(await measureGradStats({ model, data, state, step, batchSize: 16 }));
          tf.tidy(() => {
            const idx = sampler.next(16);
            const xb = tf.gather(data.trainX, idx);
            const yb = tf.gather(data.trainY, idx);
            optimizer.minimize(
              () => reducedLoss('classification', 'mean', model.apply(xb, { training: true }) as tf.Tensor, yb), false, vars);
          });
        }
      } finally {
        Math.random = saved;
      }
      const weights = snapshot(model);
      model.dispose();
      optimizer.dispose();
      sampler.dispose();
      return { weights, rows };
    };
    const plain = await train(false);
    const measured = await train(true);
    expect(measured.rows).toHaveLength(6); // steps 0, 3, 4, 6, 8, 9
    expect(measured.weights).toEqual(plain.weights);
  });

  it('rejects batches that cannot be drawn from the train set', () => {
    expect(createGradStatsState({ seed: 0, batchSize: 16 }, 300)).toBeNull();
    const err = (() => {
      try {
        createGradStatsState({ ...SETTINGS, noiseScale: { every: 1, smallBatch: 8, bigBatch: 400 }, gradVariance: { every: 1, samples: 1, referenceSize: 16 } }, 300);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues.map((i) => i.path)).toEqual(['train.noiseScale.bigBatch', 'train.gradVariance.referenceSize']);
    expect(() => createGradStatsState({ ...SETTINGS, noiseScale: { every: 1, smallBatch: 64, bigBatch: 64 } }, 300))
      .toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'train.noiseScale.bigBatch' })] }));
  });
});

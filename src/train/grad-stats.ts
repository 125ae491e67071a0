/**
 * Gradient statistics measured between optimizer steps: the gradient noise scale
 * B_simple = tr(Sigma) / |G|^2 from the two-batch estimator of McCandlish et al. (2018), and the
 * minibatch gradient variance E||g_B - g_ref||^2 at the run's batch size. This file computes the
 * gradients (tfjs); the estimator's arithmetic is core/noise-scale.ts, the row draws core/prng.ts.
 *
 * All gradients are of the MEAN per-example loss (whatever reduction the run trains with), taken in
 * training mode like a real step (BatchNorm uses batch statistics, dropout is active), on the
 * current weights. A measurement changes nothing the run depends on: weights are not updated,
 * BatchNorm moving statistics are restored bit for bit, batches come from a generator of its own
 * (the epoch sampler is never touched), and dropout masks draw from that generator too, because
 * tfjs dropout seeds each mask with one Math.random() call and the run seeds Math.random globally.
 */
import * as tf from '@tensorflow/tfjs';
import { NoiseScaleEstimator, type NoiseScaleAverages } from '../core/noise-scale.ts';
import { mulberry32, sampleWithoutReplacement, type Uniform } from '../core/prng.ts';
import { type Issue, UsageError } from '../errors.ts';
import { reducedLoss, type Task } from './loss.ts';

/** Options shared by the gradient helpers. */
export interface GradOptions {
  /**
   * Uniform [0,1) generator that stands in for Math.random while the gradient is computed, so
   * dropout masks do not consume the run's global random stream. Absent: Math.random is used.
   */
  random?: Uniform;
}

/** Runs `fn` with Math.random replaced by `random`. `fn` must be synchronous: no other code may see the swap. */
function withRandom<T>(random: Uniform | undefined, fn: () => T): T {
  if (random === undefined) return fn();
  const saved = Math.random;
  Math.random = random;
  try {
    return fn();
  } finally {
    Math.random = saved;
  }
}

/**
 * Gradient of the mean loss over rows `idx` of (x, y) with respect to each trainable weight, in
 * training mode, as tensors the caller owns (same order and shapes as `model.trainableWeights`).
 * Non-trainable weights (BatchNorm moving statistics) are restored afterwards: tfjs-layers updates
 * them inside every training-mode call.
 */
export function meanLossGrads(
  model: tf.LayersModel, task: Task, x: tf.Tensor, y: tf.Tensor, idx: tf.Tensor1D, opts: GradOptions = {},
): tf.Tensor[] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const state = model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
  // clone shares the buffer, so this is a reference to the old values, not a copy.
  const saved = state.map((v) => tf.clone(v));
  try {
    return withRandom(opts.random, () => tf.tidy(() => {
      const xb = tf.gather(x, idx);
      const yb = tf.gather(y, idx);
      const { grads } = tf.variableGrads(
        () => reducedLoss(task, 'mean', model.apply(xb, { training: true }) as tf.Tensor, yb), vars);
      // A weight the loss does not reach has no entry; its gradient is zero.
      return vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    }));
  } finally {
    state.forEach((v, i) => v.assign(saved[i]));
    tf.dispose(saved);
  }
}

/** Squared L2 norm over all tensors of a gradient list, as a scalar tensor. */
function sumSquares(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(grads.map((g) => tf.sum(tf.square(g)))) as tf.Scalar);
}

/**
 * |g|^2 of the mean-loss gradient over the rows `idx` (int32 [b]) of x [N, ...] and y [N, C], summed
 * over every trainable weight, on the current weights in training mode; nothing in the model changes.
 */
export async function gradNormSq(
  model: tf.LayersModel, task: Task, x: tf.Tensor, y: tf.Tensor, idx: tf.Tensor1D, opts: GradOptions = {},
): Promise<number> {
  const grads = meanLossGrads(model, task, x, y, idx, opts);
  const sq = sumSquares(grads);
  tf.dispose(grads);
  const [value] = await sq.data();
  sq.dispose();
  return value;
}

export interface GradVarianceOptions extends GradOptions {
  /** B: examples per minibatch, 1 <= B < referenceIdx.length. */
  batchSize: number;
  /** Minibatches drawn. */
  samples: number;
  /** Rows of (x, y) forming the reference set; minibatches are drawn from it without replacement. */
  referenceIdx: Int32Array;
  /** Generator of the minibatch draws. */
  rng: Uniform;
}

/**
 * ||g_B - g_ref||^2 for each of `samples` minibatches of B rows drawn without replacement from the
 * reference set, where g_ref is the mean-loss gradient over the whole reference set.
 * Its expectation is tr(Sigma_ref)/B * (R - B)/(R - 1) for a reference set of R rows whose
 * per-example gradients have covariance Sigma_ref (normalised by R).
 */
export async function gradDeviationsSq(
  model: tf.LayersModel, task: Task, x: tf.Tensor, y: tf.Tensor, opts: GradVarianceOptions,
): Promise<Float64Array> {
  const R = opts.referenceIdx.length;
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1 && opts.batchSize < R)) {
    throw new UsageError('batch size does not fit the reference set', [
      { path: 'batchSize', message: `expected an integer in [1, ${R - 1}] (below the reference size), got ${opts.batchSize}` },
    ]);
  }
  const refIdx = tf.tensor1d(opts.referenceIdx, 'int32');
  const ref = meanLossGrads(model, task, x, y, refIdx, opts);
  refIdx.dispose();
  const dists: tf.Scalar[] = [];
  try {
    for (let s = 0; s < opts.samples; s++) {
      const pos = sampleWithoutReplacement(R, opts.batchSize, opts.rng);
      const rows = tf.tensor1d(pos.map((p) => opts.referenceIdx[p]), 'int32');
      const g = meanLossGrads(model, task, x, y, rows, opts);
      rows.dispose();
      dists.push(tf.tidy(() => tf.addN(g.map((gi, j) => tf.sum(tf.squaredDifference(gi, ref[j])))) as tf.Scalar));
      tf.dispose(g);
    }
    // One read-back for all samples: a GPU backend stalls once, not once per minibatch.
    const stacked = tf.stack(dists);
    const values = await stacked.data();
    stacked.dispose();
    return Float64Array.from(values);
  } finally {
    tf.dispose(dists);
    tf.dispose(ref);
  }
}

/** E||g_B - g_ref||^2: the mean of `gradDeviationsSq` over its samples. */
export async function gradVariance(
  model: tf.LayersModel, task: Task, x: tf.Tensor, y: tf.Tensor, opts: GradVarianceOptions,
): Promise<number> {
  const d = await gradDeviationsSq(model, task, x, y, opts);
  return d.reduce((a, b) => a + b, 0) / d.length;
}

/** The run settings a measurement needs (a subset of the train config). */
export interface GradStatsSettings {
  seed: number;
  /** Examples per optimizer step at the start of the run; checked against the reference size. */
  batchSize: number;
  noiseScale?: { every: number; smallBatch: number; bigBatch: number };
  gradVariance?: { every: number; samples: number; referenceSize: number };
}

/** Per-run measurement state: its own generator and the noise scale averages. */
export interface GradStatsState {
  readonly settings: GradStatsSettings;
  /** Train rows. */
  readonly n: number;
  readonly rng: Uniform;
  /** Draws taken from `rng` so far: a checkpoint restores the generator by replaying them. */
  readonly draws: () => number;
  readonly noise: NoiseScaleEstimator | null;
}

/** What a checkpoint keeps of the gradient-statistics state (the settings come from the config). */
export interface GradStatsSnapshot {
  draws: number;
  noise: NoiseScaleAverages | null;
}

export function snapshotGradStats(state: GradStatsState | null): GradStatsSnapshot | null {
  return state === null ? null : { draws: state.draws(), noise: state.noise?.snapshot() ?? null };
}

/**
 * Columns a measurement adds to a curve row; a key is present only when that statistic was
 * measured at this step, null when it came out non-finite. Units: squared gradient norms of the
 * mean loss; noise_scale in examples.
 */
export interface GradStatsRow {
  /** |G|^2, moving average. */
  grad_norm_sq?: number | null;
  /** tr(Sigma) of per-example gradients, moving average. */
  trace_sigma?: number | null;
  /** B_simple = trace_sigma / grad_norm_sq. */
  noise_scale?: number | null;
  /** E||g_B - g_ref||^2 at the current batch size B, reference of R rows. */
  grad_var?: number | null;
  /** grad_var * (R-1)/(R-B): the variance of an i.i.d. minibatch, tr(Sigma)/B, so its slope in B is -1. */
  grad_var_iid?: number | null;
}

/** Salt that keeps the measurement stream apart from the data-order stream seeded by the same seed. */
const STREAM_SALT = 0x9e3779b9;

/**
 * The measurement state for a run on `n` train rows, or null when neither statistic is configured.
 * `ema` is the noise scale averages' decay per measurement. Throws UsageError when a batch cannot
 * be drawn from the train set.
 */
export function createGradStatsState(
  settings: GradStatsSettings, n: number, ema = 0.9, resume?: GradStatsSnapshot | null,
): GradStatsState | null {
  const { noiseScale, gradVariance: gv } = settings;
  if (noiseScale === undefined && gv === undefined) return null;
  const issues: Issue[] = [];
  if (noiseScale !== undefined && noiseScale.bigBatch > n) {
    issues.push({ path: 'train.noiseScale.bigBatch', message: `expected at most the ${n} train examples, got ${noiseScale.bigBatch}` });
  }
  if (gv !== undefined && settings.batchSize >= Math.min(gv.referenceSize, n)) {
    issues.push({
      path: 'train.gradVariance.referenceSize',
      message: `expected more than train.batchSize (${settings.batchSize}) and a train set larger than it (${n} examples), got ${gv.referenceSize}`,
    });
  }
  if (issues.length > 0) throw new UsageError('gradient statistics do not fit the train set', issues);
  let noise: NoiseScaleEstimator | null = null;
  if (noiseScale !== undefined) {
    try {
      noise = new NoiseScaleEstimator({ smallBatch: noiseScale.smallBatch, bigBatch: noiseScale.bigBatch, ema });
    } catch (e) {
      if (e instanceof UsageError) {
        throw new UsageError(e.message, e.issues.map((i) => ({ ...i, path: `train.noiseScale.${i.path}` })));
      }
      throw e;
    }
  }
  const base = mulberry32((settings.seed ^ STREAM_SALT) >>> 0);
  let draws = 0;
  const rng: Uniform = () => {
    draws += 1;
    return base();
  };
  if (resume) {
    for (let i = 0; i < resume.draws; i++) rng();
    if (noise !== null && resume.noise !== null) noise.restore(resume.noise);
  }
  return { settings, n, rng, draws: () => draws, noise };
}

/** Whether any statistic is due after `step` optimizer updates (step 0 = the initial weights). */
export function gradStatsDue(state: GradStatsState | null, step: number): boolean {
  if (state === null) return false;
  const { noiseScale, gradVariance: gv } = state.settings;
  return (noiseScale !== undefined && step % noiseScale.every === 0) || (gv !== undefined && step % gv.every === 0);
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

export interface MeasureArgs {
  model: tf.LayersModel;
  /** The train set on the device: x [N, ...], y [N, C]. */
  data: { task: Task; trainX: tf.Tensor; trainY: tf.Tensor };
  state: GradStatsState | null;
  /** Optimizer updates done so far. */
  step: number;
  /** The batch size of the run at this step (it may follow a batch schedule). */
  batchSize: number;
}

/**
 * Measures whatever is due at `step` and returns its columns ({} when nothing is due). Leaves the
 * weights, BatchNorm statistics, Math.random's stream and the run's data order untouched.
 * grad_var is null when `batchSize` has grown to the reference size or beyond.
 */
export async function measureGradStats({ model, data, state, step, batchSize }: MeasureArgs): Promise<GradStatsRow> {
  const row: GradStatsRow = {};
  if (state === null) return row;
  const { noiseScale, gradVariance: gv } = state.settings;
  const { task, trainX, trainY } = data;
  const opts: GradOptions = { random: state.rng };
  if (noiseScale !== undefined && state.noise !== null && step % noiseScale.every === 0) {
    const normAt = async (b: number) => {
      const idx = tf.tensor1d(sampleWithoutReplacement(state.n, b, state.rng), 'int32');
      try {
        return await gradNormSq(model, task, trainX, trainY, idx, opts);
      } finally {
        idx.dispose();
      }
    };
    const small = await normAt(noiseScale.smallBatch);
    const big = await normAt(noiseScale.bigBatch);
    const est = state.noise.update(small, big);
    row.grad_norm_sq = finiteOrNull(est.gradNormSq);
    row.trace_sigma = finiteOrNull(est.traceSigma);
    row.noise_scale = finiteOrNull(est.noiseScale);
  }
  if (gv !== undefined && step % gv.every === 0) {
    const R = Math.min(gv.referenceSize, state.n);
    if (batchSize >= R) {
      row.grad_var = null;
      row.grad_var_iid = null;
    } else {
      const referenceIdx = sampleWithoutReplacement(state.n, R, state.rng);
      const v = await gradVariance(model, task, trainX, trainY, { batchSize, samples: gv.samples, referenceIdx, rng: state.rng, ...opts });
      row.grad_var = finiteOrNull(v);
      row.grad_var_iid = finiteOrNull((v * (R - 1)) / (R - batchSize));
    }
  }
  return row;
}

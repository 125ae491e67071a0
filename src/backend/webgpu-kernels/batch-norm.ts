/**
 * batchlab's training-mode BatchNorm pair (src/models/batch-norm-train.ts) on webgpu, in WGSL:
 * two dispatches forward and two backward, where the composed fallback runs ~30 tensor ops.
 *
 * Forward:  1. the rows are cut into chunks (bnChunks), one workgroup per chunk and block of up
 *              to 256 channels (column-sums.ts): each chunk's sum, then the sum of squares about
 *              its own mean (two passes over the chunk), written as partials [chunks, 2, C];
 *           2. the same workgroups: each combines the partials in chunk order (Chan's formula:
 *              M2 = sum(M2_k + n_k (mean_k - mean)^2)) into the mean, the biased variance and
 *              scale = gamma / sqrt(var + eps), then writes y = (x - mean) * scale + beta for its
 *              chunk; the first chunk's workgroups write mean and variance.
 *           Every workgroup repeats the combine (chunks x C values), which keeps the statistics
 *           to two dispatches with the reduction spread over many workgroups.
 * Backward: the same chunks and workgroups.
 *           1. each chunk's sum(dy) and sum(dy (x - mean)) in one pass; the first chunk's
 *              workgroups also copy the per-channel values pass 2 needs (gamma * invstd, invstd,
 *              the statistics' gradient terms, the mean) into the same scratch buffer, so that
 *              pass 2 binds 3 inputs and 3 outputs (WebGPU's default limit is 8 storage buffers);
 *           2. each workgroup combines the chunks' sums in order into the closed form's
 *              coefficients, dx = a dy + b (x - mean) + d, for its chunk; the first chunk's
 *              workgroups write dgamma and dbeta.
 * Moving statistics (BatchlabBatchNormMoving): both updated in one element-wise dispatch.
 * Sums have a fixed order, so results are the same run to run. Same math as backend/batch-norm-math.ts, in float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { BN_MOVING, BN_TRAIN, BN_TRAIN_GRAD, type BatchNormMovingAttrs, type BatchNormTrainAttrs } from '../kernel-names.ts';
import { disposeScratch, floatInput, gridWorkgroups, MAX_WORKGROUPS, registerWebgpuKernel, runFusedProgram } from './fused-program.ts';
import { COLUMN_WG, columnSums, columnSumShared, laneUniforms } from './column-sums.ts';

const WG = 256;

/** Most chunks the forward statistics are cut into. */
export const MAX_BN_CHUNKS = 256;

/**
 * How the forward cuts `rows` rows of `channels` channels: chunks of `chunkRows` rows (the last
 * may be shorter), each row lane of a workgroup taking at least 64 rows of its chunk, at most
 * MAX_BN_CHUNKS chunks and MAX_WORKGROUPS workgroups. Pure.
 */
export function bnChunks(rows: number, channels: number): { chunks: number; chunkRows: number } {
  const lanes = Math.min(channels, COLUMN_WG);
  const rowLanes = Math.floor(COLUMN_WG / lanes);
  const blocks = Math.ceil(channels / lanes);
  const wanted = Math.max(1, Math.min(MAX_BN_CHUNKS, Math.floor(rows / (rowLanes * 64)), Math.floor(MAX_WORKGROUPS / blocks)));
  const chunkRows = Math.ceil(rows / wanted);
  return { chunks: Math.ceil(rows / chunkRows), chunkRows };
}

/** WGSL shared by both forward passes: this workgroup's block and chunk, this thread's lanes and rows. */
const CHUNK_LANES = `
  let C = u.channels;
  let L = u.lanes;
  let rowLanes = ${COLUMN_WG}u / L;
  let lane = lid % L;
  let rl = lid / L;
  let block = wg % u.blocks;
  let chunk = wg / u.blocks;
  let c = block * L + lane;
  let r0 = chunk * u.chunkRows;
  let r1 = min(u.rows, r0 + u.chunkRows);`;

const PARTIALS_BODY = `
${columnSumShared(1)}
fn run(wg: u32, lid: u32, nwg: u32) {
  ${CHUNK_LANES}
  ${columnSums(['x[e]'], 'r1', 'stat[lane] = s0 / f32(r1 - r0); part[chunk * 2u * C + c] = s0;', 'r0')}
  let m = stat[lane];
  ${columnSums(['(x[e] - m) * (x[e] - m)'], 'r1', 'part[chunk * 2u * C + C + c] = s0;', 'r0')}
}`;

const APPLY_BODY = `
var<workgroup> red: array<f32, ${COLUMN_WG}>;
var<workgroup> meanOf: array<f32, ${COLUMN_WG}>;
var<workgroup> scaleOf: array<f32, ${COLUMN_WG}>;
fn run(wg: u32, lid: u32, nwg: u32) {
  ${CHUNK_LANES}
  let valid = rl < rowLanes && c < C;
  let n = f32(u.rows);
  var s = 0.0;
  if (valid) {
    for (var k = rl; k < u.chunks; k = k + rowLanes) { s = s + part[k * 2u * C + c]; }
  }
  red[lid] = s;
  workgroupBarrier();
  if (rl == 0u && c < C) {
    var t = 0.0;
    for (var j = 0u; j < rowLanes; j = j + 1u) { t = t + red[j * L + lane]; }
    meanOf[lane] = t / n;
  }
  workgroupBarrier();
  let m = meanOf[lane];
  var q = 0.0;
  if (valid) {
    for (var k = rl; k < u.chunks; k = k + rowLanes) {
      let nk = f32(min(u.chunkRows, u.rows - k * u.chunkRows));
      let d = part[k * 2u * C + c] / nk - m;
      q = q + part[k * 2u * C + C + c] + nk * d * d;
    }
  }
  red[lid] = q;
  workgroupBarrier();
  if (rl == 0u && c < C) {
    var t = 0.0;
    for (var j = 0u; j < rowLanes; j = j + 1u) { t = t + red[j * L + lane]; }
    let v = t / n;
    scaleOf[lane] = gamma[c] / sqrt(v + u.epsilon);
    if (chunk == 0u) {
      mean[c] = m;
      variance[c] = v;
    }
  }
  workgroupBarrier();
  if (valid) {
    let sc = scaleOf[lane];
    let b = beta[c];
    for (var r = r0 + rl; r < r1; r = r + rowLanes) {
      let e = r * C + c;
      y[e] = (x[e] - m) * sc + b;
    }
  }
}`;

function forward({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const x = floatInput(inputs, BN_TRAIN, 'x');
  const gamma = floatInput(inputs, BN_TRAIN, 'gamma');
  const beta = floatInput(inputs, BN_TRAIN, 'beta');
  const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
  const c = gamma.shape[0]!;
  const rows = x.shape.reduce((a, b) => a * b, 1) / c;
  const { chunks, chunkRows } = bnChunks(rows, c);
  const lanes = laneUniforms(c);
  const workgroups = lanes[1][2] * chunks;
  const shape: [string, 'u32', number][] = [['rows', 'u32', rows], ['channels', 'u32', c], ['chunkRows', 'u32', chunkRows], ...lanes];
  const [part] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormPartials', key: '', workgroupSize: WG, workgroups,
    inputs: [['x', x]],
    outputs: [['part', [chunks * 2 * c]]],
    uniforms: shape,
    body: PARTIALS_BODY,
  });
  const [y, mean, variance] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormApply', key: '', workgroupSize: WG, workgroups,
    inputs: [['x', x], ['part', part!], ['gamma', gamma], ['beta', beta]],
    outputs: [['y', x.shape.slice()], ['mean', [c]], ['variance', [c]]],
    uniforms: [...shape, ['chunks', 'u32', chunks], ['epsilon', 'f32', epsilon]],
    body: APPLY_BODY,
  });
  disposeScratch(backend, part!);
  return [y!, mean!, variance!];
}

/**
 * Backward pass 1, per chunk and channel: sum(dy) and sum(dy (x - mean)) into part[chunk][0..1][c];
 * the first chunk's workgroups also write a header after the chunks, the per-channel values
 * pass 2 needs (so pass 2 binds dy, x and part only): a = gamma * invstd, invstd, the
 * statistics' gradient terms dmean / R and 2 dvariance / R (0 without them), and the mean.
 */
function gradPartialsBody(withDmean: boolean, withDvar: boolean): string {
  return `
${columnSumShared(2)}
fn run(wg: u32, lid: u32, nwg: u32) {
  ${CHUNK_LANES}
  let rows = f32(u.rows);
  let m = mean[min(c, C - 1u)];
  ${columnSums(['dy[e]', 'dy[e] * (x[e] - m)'], 'r1', `
    part[chunk * 2u * C + c] = s0;
    part[chunk * 2u * C + C + c] = s1;
    if (chunk == 0u) {
      let h = u.chunks * 2u * C;
      let inv = 1.0 / sqrt(variance[c] + u.epsilon);
      part[h + c] = gamma[c] * inv;
      part[h + C + c] = inv;
      part[h + 2u * C + c] = ${withDmean ? 'dmean[c] / rows' : '0.0'};
      part[h + 3u * C + c] = ${withDvar ? '2.0 * dvariance[c] / rows' : '0.0'};
      part[h + 4u * C + c] = m;
    }`, 'r0')}
}`;
}

/**
 * Backward pass 2, per chunk: combines the chunks' sums in order into the closed form's
 * coefficients, dx = a dy + b (x - mean) + d for the chunk's rows; the first chunk writes dgamma
 * and dbeta.
 */
const GRAD_APPLY_BODY = `
var<workgroup> red0: array<f32, ${COLUMN_WG}>;
var<workgroup> red1: array<f32, ${COLUMN_WG}>;
var<workgroup> coefA: array<f32, ${COLUMN_WG}>;
var<workgroup> coefB: array<f32, ${COLUMN_WG}>;
var<workgroup> coefD: array<f32, ${COLUMN_WG}>;
fn run(wg: u32, lid: u32, nwg: u32) {
  ${CHUNK_LANES}
  let valid = rl < rowLanes && c < C;
  let rows = f32(u.rows);
  let h = u.chunks * 2u * C;
  var s0 = 0.0;
  var s1 = 0.0;
  if (valid) {
    for (var k = rl; k < u.chunks; k = k + rowLanes) {
      s0 = s0 + part[k * 2u * C + c];
      s1 = s1 + part[k * 2u * C + C + c];
    }
  }
  red0[lid] = s0;
  red1[lid] = s1;
  workgroupBarrier();
  if (rl == 0u && c < C) {
    var t0 = 0.0;
    var t1 = 0.0;
    for (var j = 0u; j < rowLanes; j = j + 1u) {
      t0 = t0 + red0[j * L + lane];
      t1 = t1 + red1[j * L + lane];
    }
    let a = part[h + c];
    let inv = part[h + C + c];
    coefA[lane] = a;
    coefB[lane] = -a * inv * inv * t1 / rows + part[h + 3u * C + c];
    coefD[lane] = -a * t0 / rows + part[h + 2u * C + c];
    if (chunk == 0u) {
      dgamma[c] = t1 * inv;
      dbeta[c] = t0;
    }
  }
  workgroupBarrier();
  if (valid) {
    let a = coefA[lane];
    let b = coefB[lane];
    let d = coefD[lane];
    let m = part[h + 4u * C + c];
    for (var r = r0 + rl; r < r1; r = r + rowLanes) {
      let e = r * C + c;
      dx[e] = a * dy[e] + b * (x[e] - m) + d;
    }
  }
}`;

function backward({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [dy, x, gamma, mean, variance] = ['dy', 'x', 'gamma', 'mean', 'variance'].map((n) => floatInput(inputs, BN_TRAIN_GRAD, n)) as tf.TensorInfo[];
  const dmean = inputs.dmean == null ? null : floatInput(inputs, BN_TRAIN_GRAD, 'dmean');
  const dvariance = inputs.dvariance == null ? null : floatInput(inputs, BN_TRAIN_GRAD, 'dvariance');
  const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
  const c = gamma!.shape[0]!;
  const rows = x!.shape.reduce((a, b) => a * b, 1) / c;
  const { chunks, chunkRows } = bnChunks(rows, c);
  const lanes = laneUniforms(c);
  const workgroups = lanes[1][2] * chunks;
  const shape: [string, 'u32', number][] = [
    ['rows', 'u32', rows], ['channels', 'u32', c], ['chunkRows', 'u32', chunkRows], ['chunks', 'u32', chunks], ...lanes,
  ];
  const [part] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormGradPartials', key: `${dmean != null}${dvariance != null}`, workgroupSize: WG, workgroups,
    inputs: [
      ['dy', dy!], ['x', x!], ['gamma', gamma!], ['mean', mean!], ['variance', variance!],
      ...(dmean ? [['dmean', dmean] as [string, tf.TensorInfo]] : []),
      ...(dvariance ? [['dvariance', dvariance] as [string, tf.TensorInfo]] : []),
    ],
    outputs: [['part', [(2 * chunks + 5) * c]]],
    uniforms: [...shape, ['epsilon', 'f32', epsilon]],
    body: () => gradPartialsBody(dmean != null, dvariance != null),
  });
  const [dx, dgamma, dbeta] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormGradApply', key: '', workgroupSize: WG, workgroups,
    inputs: [['dy', dy!], ['x', x!], ['part', part!]],
    outputs: [['dx', x!.shape.slice()], ['dgamma', [c]], ['dbeta', [c]]],
    uniforms: shape,
    body: GRAD_APPLY_BODY,
  });
  disposeScratch(backend, part!);
  return [dx!, dgamma!, dbeta!];
}

const MOVING_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  let keep = u.momentum;
  let take = u.oneMinusMomentum;
  for (var c = wg * ${WG}u + lid; c < u.channels; c = c + nwg * ${WG}u) {
    newMean[c] = movingMean[c] * keep + mean[c] * take;
    newVariance[c] = movingVariance[c] * keep + variance[c] * take;
  }
}`;

/** The moving statistics' update (BN_MOVING): the layer's six element-wise ops in one dispatch. */
function moving({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [movingMean, movingVariance, mean, variance] = ['movingMean', 'movingVariance', 'mean', 'variance']
    .map((n) => floatInput(inputs, BN_MOVING, n)) as tf.TensorInfo[];
  const { momentum } = attrs as unknown as BatchNormMovingAttrs;
  const c = mean!.shape.reduce((a, b) => a * b, 1);
  return runFusedProgram(backend, {
    name: 'BatchlabBatchNormMoving', key: '', workgroupSize: WG, workgroups: gridWorkgroups(c, WG),
    inputs: [['movingMean', movingMean!], ['movingVariance', movingVariance!], ['mean', mean!], ['variance', variance!]],
    outputs: [['newMean', movingMean!.shape.slice()], ['newVariance', movingVariance!.shape.slice()]],
    uniforms: [['channels', 'u32', c], ['momentum', 'f32', momentum], ['oneMinusMomentum', 'f32', 1 - momentum]],
    body: MOVING_BODY,
  });
}

export function registerBatchNormWebgpu(): void {
  registerWebgpuKernel(BN_TRAIN, forward);
  registerWebgpuKernel(BN_TRAIN_GRAD, backward);
  registerWebgpuKernel(BN_MOVING, moving);
}

/**
 * batchlab's training-mode BatchNorm pair (src/models/batch-norm-train.ts) on webgpu, in WGSL:
 * two dispatches forward and two backward, where the composed fallback runs ~30 tensor ops.
 *
 * Forward:  1. one workgroup per block of up to 256 channels (column-sums.ts): mean, then the
 *              biased variance about it (two passes), and scale = gamma / sqrt(var + eps);
 *           2. element-wise y = (x - mean) * scale + beta.
 * Backward: 1. one workgroup per block of channels: sum(dy) and sum(dy (x - mean)) in one pass, then the closed form's
 *              per-channel coefficients dx = a dy + b (x - mean) + d, dgamma and dbeta;
 *           2. element-wise dx, the threads of the first C elements also writing dgamma, dbeta.
 * Moving statistics (BatchlabBatchNormMoving): both updated in one element-wise dispatch.
 * Sums have a fixed order, so results are the same run to run. Same math as backend/batch-norm-math.ts, in float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { BN_MOVING, BN_TRAIN, BN_TRAIN_GRAD, type BatchNormMovingAttrs, type BatchNormTrainAttrs } from '../kernel-names.ts';
import { disposeScratch, floatInput, gridWorkgroups, registerWebgpuKernel, runFusedProgram } from './fused-program.ts';
import { columnSums, columnSumShared, forEachChannelBlock, laneUniforms } from './column-sums.ts';

const WG = 256;

const STATS_BODY = `
${columnSumShared(1)}
fn run(wg: u32, lid: u32, nwg: u32) {
  let rows = f32(u.rows);
  ${forEachChannelBlock(`
    ${columnSums(['x[e]'], 'u.rows', 'stat[lane] = s0 / rows;')}
    let m = stat[lane];
    ${columnSums(['(x[e] - m) * (x[e] - m)'], 'u.rows', `
      let v = s0 / rows;
      mean[c] = m;
      variance[c] = v;
      scale[c] = gamma[c] / sqrt(v + u.epsilon);`)}
  `)}
}`;

const NORMALIZE_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    let c = i % u.channels;
    y[i] = (x[i] - mean[c]) * scale[c] + beta[c];
  }
}`;

function forward({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const x = floatInput(inputs, BN_TRAIN, 'x');
  const gamma = floatInput(inputs, BN_TRAIN, 'gamma');
  const beta = floatInput(inputs, BN_TRAIN, 'beta');
  const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
  const c = gamma.shape[0]!;
  const size = x.shape.reduce((a, b) => a * b, 1);
  const [mean, variance, scale] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormStats', key: '', workgroupSize: WG, workgroups: gridWorkgroups(Math.ceil(c / WG), 1),
    inputs: [['x', x], ['gamma', gamma]],
    outputs: [['mean', [c]], ['variance', [c]], ['scale', [c]]],
    uniforms: [['rows', 'u32', size / c], ['channels', 'u32', c], ['epsilon', 'f32', epsilon], ...laneUniforms(c)],
    body: STATS_BODY,
  });
  const [y] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormApply', key: '', workgroupSize: WG, workgroups: gridWorkgroups(size, WG),
    inputs: [['x', x], ['mean', mean!], ['scale', scale!], ['beta', beta]],
    outputs: [['y', x.shape.slice()]],
    uniforms: [['size', 'u32', size], ['channels', 'u32', c]],
    body: NORMALIZE_BODY,
  });
  disposeScratch(backend, scale!);
  return [y!, mean!, variance!];
}

/** coef [5C]: a, b, d (dx = a dy + b (x - mean) + d), dgamma, dbeta. */
function coefficientsBody(withDmean: boolean, withDvar: boolean): string {
  return `
${columnSumShared(2)}
fn run(wg: u32, lid: u32, nwg: u32) {
  let C = u.channels;
  let rows = f32(u.rows);
  ${forEachChannelBlock(`
    let m = mean[min(c, C - 1u)];
    ${columnSums(['dy[e]', 'dy[e] * (x[e] - m)'], 'u.rows', `
      let inv = 1.0 / sqrt(variance[c] + u.epsilon);
      let a = gamma[c] * inv;
      var b = -a * inv * inv * s1 / rows;
      var d = -a * s0 / rows;
      ${withDvar ? 'b = b + 2.0 * dvariance[c] / rows;' : ''}
      ${withDmean ? 'd = d + dmean[c] / rows;' : ''}
      coef[c] = a;
      coef[C + c] = b;
      coef[2u * C + c] = d;
      coef[3u * C + c] = s1 * inv;
      coef[4u * C + c] = s0;`)}
  `)}
}`;
}

const DX_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  let C = u.channels;
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    let c = i % C;
    dx[i] = coef[c] * dy[i] + coef[C + c] * (x[i] - mean[c]) + coef[2u * C + c];
    if (i < C) {
      dgamma[i] = coef[3u * C + i];
      dbeta[i] = coef[4u * C + i];
    }
  }
}`;

function backward({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [dy, x, gamma, mean, variance] = ['dy', 'x', 'gamma', 'mean', 'variance'].map((n) => floatInput(inputs, BN_TRAIN_GRAD, n)) as tf.TensorInfo[];
  const dmean = inputs.dmean == null ? null : floatInput(inputs, BN_TRAIN_GRAD, 'dmean');
  const dvariance = inputs.dvariance == null ? null : floatInput(inputs, BN_TRAIN_GRAD, 'dvariance');
  const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
  const c = gamma!.shape[0]!;
  const size = x!.shape.reduce((a, b) => a * b, 1);
  const [coef] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormGradCoefficients', key: `${dmean != null}${dvariance != null}`, workgroupSize: WG,
    workgroups: gridWorkgroups(Math.ceil(c / WG), 1),
    inputs: [
      ['dy', dy!], ['x', x!], ['gamma', gamma!], ['mean', mean!], ['variance', variance!],
      ...(dmean ? [['dmean', dmean] as [string, tf.TensorInfo]] : []),
      ...(dvariance ? [['dvariance', dvariance] as [string, tf.TensorInfo]] : []),
    ],
    outputs: [['coef', [5 * c]]],
    uniforms: [['rows', 'u32', size / c], ['channels', 'u32', c], ['epsilon', 'f32', epsilon], ...laneUniforms(c)],
    body: () => coefficientsBody(dmean != null, dvariance != null),
  });
  const [dx, dgamma, dbeta] = runFusedProgram(backend, {
    name: 'BatchlabBatchNormGradApply', key: '', workgroupSize: WG, workgroups: gridWorkgroups(size, WG),
    inputs: [['dy', dy!], ['x', x!], ['mean', mean!], ['coef', coef!]],
    outputs: [['dx', x!.shape.slice()], ['dgamma', [c]], ['dbeta', [c]]],
    uniforms: [['size', 'u32', size], ['channels', 'u32', c]],
    body: DX_BODY,
  });
  disposeScratch(backend, coef!);
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

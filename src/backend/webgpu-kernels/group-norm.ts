/**
 * batchlab's GroupNorm pair (src/models/group-norm-kernel.ts) on webgpu, in WGSL: two dispatches
 * forward and two backward, where the composed fallback runs a few dozen tensor ops.
 *
 * x is [N, S, C] (S the spatial positions), G groups of Cg = C / G contiguous channels;
 * a (sample, group) holds M = S * Cg values.
 * Forward:  1. one workgroup per (sample, group): mean, then the biased variance about it, and
 *              rstd = 1 / sqrt(var + eps);
 *           2. element-wise y = (x - mean) * rstd * gamma + beta.
 * Backward: 1. one workgroup per (sample, group): A = sum(gamma dy), B = sum(gamma dy (x - mean))
 *              and the coefficients of dx = rstd gamma dy + b (x - mean) + d,
 *              b = -rstd^3 (B + drstd) / M, d = (dmean - rstd A) / M; then one workgroup per
 *              block of channels: dgamma = sum(dy (x - mean) rstd), dbeta = sum(dy) over samples and space;
 *           2. element-wise dx, the threads of the first C elements also writing dgamma, dbeta.
 * Sums have a fixed order, so results are the same run to run.
 */
import type * as tf from '@tensorflow/tfjs';
import { GN, GN_GRAD, type GroupNormAttrs } from '../kernel-names.ts';
import { disposeScratch, floatInput, gridWorkgroups, registerWebgpuKernel, runFusedProgram, treeSum } from './fused-program.ts';
import { COLUMN_WG, columnSums, columnSumShared, laneUniforms } from './column-sums.ts';

const WG = 256;

/** Sums `expr` over `count` terms (index k, from the thread's lid in steps of WG) into red[0]. */
function workgroupSum(expr: string, count: string, prelude: string): string {
  return `{
    var acc = 0.0;
    for (var k = lid; k < ${count}; k = k + ${WG}u) {
      ${prelude}
      acc = acc + ${expr};
    }
    red[lid] = acc;
    workgroupBarrier();${treeSum('red', WG)}
  }`;
}

/** Element index e of term k of (sample n, group g). */
const GROUP_ELEMENT = 'let e = (n * u.spatial + k / u.cg) * u.channels + g * u.cg + k % u.cg;';

const STATS_BODY = `
var<workgroup> red: array<f32, ${WG}>;
fn run(wg: u32, lid: u32, nwg: u32) {
  let m = f32(u.spatial * u.cg);
  for (var w = wg; w < u.pairs; w = w + nwg) {
    let n = w / u.groups;
    let g = w % u.groups;
    ${workgroupSum('x[e]', 'u.spatial * u.cg', GROUP_ELEMENT)}
    let mu = red[0] / m;
    workgroupBarrier();
    ${workgroupSum('(x[e] - mu) * (x[e] - mu)', 'u.spatial * u.cg', GROUP_ELEMENT)}
    if (lid == 0u) {
      mean[w] = mu;
      rstd[w] = 1.0 / sqrt(red[0] / m + u.epsilon);
    }
    workgroupBarrier();
  }
}`;

const NORMALIZE_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    let c = i % u.channels;
    let w = (i / (u.spatial * u.channels)) * u.groups + c / u.cg;
    y[i] = (x[i] - mean[w]) * rstd[w] * gamma[c] + beta[c];
  }
}`;

interface Geometry {
  n: number;
  s: number;
  c: number;
  groups: number;
  size: number;
}

function geometry(x: tf.TensorInfo, groups: number): Geometry {
  const n = x.shape[0]!;
  const c = x.shape[x.shape.length - 1]!;
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { n, s: size / (n * c), c, groups, size };
}

function uniformsOf(g: Geometry): [string, 'u32', number][] {
  return [
    ['size', 'u32', g.size], ['spatial', 'u32', g.s], ['channels', 'u32', g.c],
    ['groups', 'u32', g.groups], ['cg', 'u32', g.c / g.groups], ['pairs', 'u32', g.n * g.groups],
  ];
}

function forward({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const x = floatInput(inputs, GN, 'x');
  const gamma = floatInput(inputs, GN, 'gamma');
  const beta = floatInput(inputs, GN, 'beta');
  const { groups, epsilon } = attrs as unknown as GroupNormAttrs;
  const geo = geometry(x, groups);
  const [mean, rstd] = runFusedProgram(backend, {
    name: 'BatchlabGroupNormStats', key: '', workgroupSize: WG, workgroups: gridWorkgroups(geo.n * groups, 1),
    inputs: [['x', x]],
    outputs: [['mean', [geo.n, groups]], ['rstd', [geo.n, groups]]],
    uniforms: [...uniformsOf(geo), ['epsilon', 'f32', epsilon]],
    body: STATS_BODY,
  });
  const [y] = runFusedProgram(backend, {
    name: 'BatchlabGroupNormApply', key: '', workgroupSize: WG, workgroups: gridWorkgroups(geo.size, WG),
    inputs: [['x', x], ['mean', mean!], ['rstd', rstd!], ['gamma', gamma], ['beta', beta]],
    outputs: [['y', x.shape.slice()]],
    uniforms: uniformsOf(geo),
    body: NORMALIZE_BODY,
  });
  return [y!, mean!, rstd!];
}

/**
 * coef: per (sample, group) w, planes of P = N*G: rstd, b, d, mean; then dgamma [C], dbeta [C].
 * Workgroups [0, P) do the (sample, group) sums, the next ceil(C / 256) the channel sums
 * (column-sums.ts: blocks of channels, rows n * S + s).
 */
function coefficientsBody(withDmean: boolean, withDrstd: boolean): string {
  return `
var<workgroup> red: array<f32, ${WG}>;
${columnSumShared(2)}
fn run(wg: u32, lid: u32, nwg: u32) {
  let P = u.pairs;
  let C = u.channels;
  let m = f32(u.spatial * u.cg);
  let L = u.lanes;
  let rowLanes = ${COLUMN_WG}u / L;
  let lane = lid % L;
  let rl = lid / L;
  for (var w = wg; w < P + u.blocks; w = w + nwg) {
    if (w < P) {
      let n = w / u.groups;
      let g = w % u.groups;
      let mu = mean[w];
      let r = rstd[w];
      ${workgroupSum('gamma[g * u.cg + k % u.cg] * dy[e]', 'u.spatial * u.cg', GROUP_ELEMENT)}
      let a = red[0];
      workgroupBarrier();
      ${workgroupSum('gamma[g * u.cg + k % u.cg] * dy[e] * (x[e] - mu)', 'u.spatial * u.cg', GROUP_ELEMENT)}
      if (lid == 0u) {
        let r3 = r * r * r;
        var b = -(r3 * red[0]);
        ${withDrstd ? 'b = b - r3 * drstd[w];' : ''}
        var d = -(r * a);
        ${withDmean ? 'd = d + dmean[w];' : ''}
        coef[w] = r;
        coef[P + w] = b / m;
        coef[2u * P + w] = d / m;
        coef[3u * P + w] = mu;
      }
    } else {
      let c = (w - P) * L + lane;
      let safe = min(c, C - 1u);
      let g = safe / u.cg;
      ${columnSums(['dy[e] * (x[e] - mean[r / u.spatial * u.groups + g]) * rstd[r / u.spatial * u.groups + g]', 'dy[e]'], 'u.pairs / u.groups * u.spatial', `
        coef[4u * P + c] = s0;
        coef[4u * P + C + c] = s1;`)}
    }
    workgroupBarrier();
  }
}`;
}

const DX_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  let P = u.pairs;
  let C = u.channels;
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    let c = i % C;
    let w = (i / (u.spatial * C)) * u.groups + c / u.cg;
    dx[i] = gamma[c] * dy[i] * coef[w] + (x[i] - coef[3u * P + w]) * coef[P + w] + coef[2u * P + w];
    if (i < C) {
      dgamma[i] = coef[4u * P + i];
      dbeta[i] = coef[4u * P + C + i];
    }
  }
}`;

function backward({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [dy, x, gamma, mean, rstd] = ['dy', 'x', 'gamma', 'mean', 'rstd'].map((n) => floatInput(inputs, GN_GRAD, n)) as tf.TensorInfo[];
  const dmean = inputs.dmean == null ? null : floatInput(inputs, GN_GRAD, 'dmean');
  const drstd = inputs.drstd == null ? null : floatInput(inputs, GN_GRAD, 'drstd');
  const { groups } = attrs as unknown as GroupNormAttrs;
  const geo = geometry(x!, groups);
  const pairs = geo.n * groups;
  const [coef] = runFusedProgram(backend, {
    name: 'BatchlabGroupNormGradCoefficients', key: `${dmean != null}${drstd != null}`, workgroupSize: WG,
    workgroups: gridWorkgroups(pairs + Math.ceil(geo.c / COLUMN_WG), 1),
    inputs: [
      ['dy', dy!], ['x', x!], ['gamma', gamma!], ['mean', mean!], ['rstd', rstd!],
      ...(dmean ? [['dmean', dmean] as [string, tf.TensorInfo]] : []),
      ...(drstd ? [['drstd', drstd] as [string, tf.TensorInfo]] : []),
    ],
    outputs: [['coef', [4 * pairs + 2 * geo.c]]],
    uniforms: [...uniformsOf(geo), ...laneUniforms(geo.c)],
    body: () => coefficientsBody(dmean != null, drstd != null),
  });
  const [dx, dgamma, dbeta] = runFusedProgram(backend, {
    name: 'BatchlabGroupNormGradApply', key: '', workgroupSize: WG, workgroups: gridWorkgroups(geo.size, WG),
    inputs: [['dy', dy!], ['x', x!], ['gamma', gamma!], ['coef', coef!]],
    outputs: [['dx', x!.shape.slice()], ['dgamma', [geo.c]], ['dbeta', [geo.c]]],
    uniforms: uniformsOf(geo),
    body: DX_BODY,
  });
  disposeScratch(backend, coef!);
  return [dx!, dgamma!, dbeta!];
}

export function registerGroupNormWebgpu(): void {
  registerWebgpuKernel(GN, forward);
  registerWebgpuKernel(GN_GRAD, backward);
}

/**
 * The `native` backend's kernels: tfjs's cpu backend (its memory, its kernels) with the kernels
 * a training step spends its time in replaced by calls into the native addon (addon.ts).
 *
 * Each kernel runs natively in its common case (float32, NHWC, the broadcasts and reductions
 * listed below) and hands anything else to the cpu backend's own kernel, so every op still
 * works and gives the cpu backend's answer. Outputs are fresh Float32Arrays allocated here and
 * owned by the backend like any cpu tensor; the addon only reads and writes them.
 *
 * - BatchMatMul, _FusedMatMul (bias [N], linear or ReLU): one sgemm per batch entry (oneDNN's,
 *   or OpenBLAS's with BATCHLAB_NATIVE_GEMM=openblas), bias and ReLU fused in the same call.
 * - Conv2D, FusedConv2D (bias, linear or ReLU), Conv2DBackpropInput, Conv2DBackpropFilter:
 *   oneDNN convolution primitives on NHWC activations and HWIO filters (cached per shape).
 * - MaxPool, MaxPoolGrad: NHWC loops; the gradient goes to each window's first maximum, as on cpu.
 * - Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference: any broadcast.
 * - Relu, Relu6, Step (ReLU's gradient), Neg, Square, Exp, Log, Sqrt, Rsqrt, Abs.
 * - Sum, Mean, Max over one contiguous block of axes (leading, trailing or inner).
 * - Transpose for permutations that swap two adjacent blocks of axes (all 2-D transposes).
 * - GatherV2 along axis 0 (every training batch): row copies (natively for float32).
 * - BatchlabBatchNormTrain / ...Grad (src/models/batch-norm-train.ts): the closed forms, natively.
 * - BatchlabGroupNorm / ...Grad (src/models/group-norm-kernel.ts): the same, per sample and group.
 * - BatchlabSgdUpdate (train/optimizers.ts): a variable's whole SGD/momentum update in one pass,
 *   in place in the weight's and velocity's arrays when nothing else can hold them (sgdUpdateKernel).
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BN_TRAIN, BN_TRAIN_GRAD, GN, GN_GRAD, SGD_UPDATE, type BatchNormTrainAttrs, type GroupNormAttrs, type SgdUpdateAttrs } from '../kernel-names.ts';
import type { NativeAddon } from './addon.ts';
import { DEFAULT_BACKEND_OPTIONS, type BackendOptions, type GemmLibrary } from '../options.ts';

export const NATIVE = 'native';

type Info = tf.TensorInfo;

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A float32 tensor's values as a Float32Array. The cpu backend's Cast shares the data of a
 * bool or int32 tensor cast to float32 (no loss), so such a tensor may hold another typed array:
 * it is converted (a copy) for the addon, which reads only Float32Arrays.
 */
function values(backend: MathBackendCPU, t: Info): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

/** A new float32 tensor of `shape` owned by the backend, and its (zeroed) array to write. */
function alloc(backend: MathBackendCPU, shape: number[]): [Info, Float32Array] {
  const data = new Float32Array(size(shape));
  return [backend.makeTensorInfo(shape, 'float32', data), data];
}

let poisonOutputs = false;

/**
 * Tests: fill every unzeroed output with NaN before its kernel writes it, so an element a kernel
 * leaves unwritten shows up as NaN instead of as whatever the allocator reused (often zeros).
 */
export function setOutputPoison(on: boolean): void {
  poisonOutputs = on;
}

/**
 * A float32 tensor of `shape` whose values `fill` writes, every one of them: the array comes
 * from Buffer.allocUnsafeSlow (its own ArrayBuffer, not zeroed), since zeroing the ~10 MB of
 * outputs of an MLP step at batch 1024 cost about as much as all its element-wise kernels. Only
 * kernels whose native code writes every output element use it. The tensor is made after
 * `fill` returns, so a native error leaves no tensor behind.
 */
function output(backend: MathBackendCPU, shape: number[], fill: (data: Float32Array) => void): Info {
  const n = size(shape);
  const data = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
  if (poisonOutputs) data.fill(NaN);
  fill(data);
  return backend.makeTensorInfo(shape, 'float32', data);
}

function allFloat(...ts: (Info | undefined | null)[]): boolean {
  return ts.every((t) => t == null || t.dtype === 'float32');
}

/** The cpu backend's kernel of that name: the fallback outside the native cases. */
function cpuKernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (k == null) throw new Error(`tfjs's cpu backend has no ${name} kernel`);
  return k.kernelFunc;
}

function cpuOf(args: { backend: unknown }): MathBackendCPU {
  return args.backend as MathBackendCPU;
}

// --- element-wise --------------------------------------------------------------------------

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 };

/** Element strides of an operand of `shape` along each axis of the broadcast `out` shape (0 where broadcast). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let k = shape.length - 1, o = out.length - 1; k >= 0; k--, o--) {
    strides[o] = shape[k] === 1 ? 0 : stride;
    stride *= shape[k];
  }
  return strides;
}

function binaryKernel(addon: NativeAddon, name: string, op: number): tf.KernelFunc {
  const fallback = cpuKernel(name);
  return (args) => {
    const { a, b } = args.inputs;
    if (!a || !b || !allFloat(a, b)) return fallback(args);
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (size(shape) === 0 || size(a.shape) === 0 || size(b.shape) === 0) return fallback(args);
    const backend = cpuOf(args);
    const n = size(shape);
    const same = size(a.shape) === n && size(b.shape) === n;
    const rank = Math.max(shape.length, 1);
    const outShape = shape.length === 0 ? [1] : shape;
    return output(backend, shape, (data) => addon.binary(
      values(backend, a), values(backend, b), data, op,
      same ? null : outShape,
      same ? null : broadcastStrides(a.shape.length ? a.shape : [1], outShape).slice(-rank),
      same ? null : broadcastStrides(b.shape.length ? b.shape : [1], outShape).slice(-rank),
    ));
  };
}

const UNARY: Record<string, number> = { Relu: 0, Step: 1, Neg: 2, Square: 3, Exp: 4, Log: 5, Sqrt: 6, Rsqrt: 7, Relu6: 8, Abs: 9 };

function unaryKernel(addon: NativeAddon, name: string, op: number): tf.KernelFunc {
  const fallback = cpuKernel(name);
  return (args) => {
    const { x } = args.inputs;
    if (!x || x.dtype !== 'float32' || size(x.shape) === 0) return fallback(args);
    const backend = cpuOf(args);
    const alpha = name === 'Step' ? Number((args.attrs as { alpha?: number }).alpha ?? 0) : 0;
    return output(backend, x.shape.slice(), (data) => addon.unary(values(backend, x), data, op, alpha));
  };
}

// --- reductions ----------------------------------------------------------------------------

const REDUCE: Record<string, number> = { Sum: 0, Mean: 1, Max: 2 };

/** [outer, mid, inner] when `axes` (sorted, distinct) are one contiguous block of `shape`, else null. */
export function contiguousReduction(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  if (axes.length === 0) return null;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
  const first = axes[0];
  const last = axes[axes.length - 1];
  return [size(shape.slice(0, first)), size(shape.slice(first, last + 1)), size(shape.slice(last + 1))];
}

function reduceKernel(addon: NativeAddon, name: string, mode: number): tf.KernelFunc {
  const fallback = cpuKernel(name);
  return (args) => {
    const { x } = args.inputs;
    // Max names its axes reductionIndices; Sum and Mean call them axis.
    const { axis, reductionIndices, keepDims } = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
    if (!x || x.dtype !== 'float32' || size(x.shape) === 0) return fallback(args);
    const axes = [...new Set(tf.util.parseAxisParam((axis ?? reductionIndices)!, x.shape))].sort((p, q) => p - q);
    const split = contiguousReduction(x.shape, axes);
    if (split == null) return fallback(args);
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const backend = cpuOf(args);
    return output(backend, outShape, (data) => addon.reduce(values(backend, x), data, split[0], split[1], split[2], mode));
  };
}

// --- layout --------------------------------------------------------------------------------

/**
 * [outer, rows, cols, inner] when `perm` swaps two adjacent blocks of axes
 * (perm = [0..p-1, q..r-1, p..q-1, r..]), so the transpose is a batched matrix transpose of
 * `inner`-sized elements; null otherwise.
 */
export function blockSwap(shape: readonly number[], perm: readonly number[]): [number, number, number, number] | null {
  const n = perm.length;
  let p = 0;
  while (p < n && perm[p] === p) p++;
  if (p === n) return null;
  const q = perm[p];
  // perm[p..] = q..r-1 then p..q-1 then r..n-1
  let i = p;
  let r = q;
  while (i < n && perm[i] === r) {
    i++;
    r++;
  }
  for (let k = p; k < q; k++, i++) if (perm[i] !== k) return null;
  for (let k = r; k < n; k++, i++) if (perm[i] !== k) return null;
  return [size(shape.slice(0, p)), size(shape.slice(p, q)), size(shape.slice(q, r)), size(shape.slice(r))];
}

function transposeKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('Transpose');
  return (args) => {
    const { x } = args.inputs;
    const { perm } = args.attrs as unknown as { perm: number[] };
    const split = x && x.dtype === 'float32' && size(x.shape) > 0 ? blockSwap(x.shape, perm) : null;
    if (!x || split == null) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, perm.map((k) => x.shape[k]), (data) => addon.transpose(values(backend, x), data, ...split));
  };
}

function gatherKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('GatherV2');
  return (args) => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const rank = x?.shape.length ?? 0;
    const along0 = rank > 0 && (axis === 0 || axis === -rank) && (batchDims ?? 0) === 0;
    if (!x || !indices || !along0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') return fallback(args);
    const backend = cpuOf(args);
    const idx = backend.data.get(indices.dataId).values as Int32Array;
    const rows = x.shape[0];
    if (idx.length === 0 || rows === 0) return fallback(args);
    for (let i = 0; i < idx.length; i++) if (!(idx[i] >= 0 && idx[i] < rows)) return fallback(args);
    const rowSize = size(x.shape.slice(1));
    const outShape = [...indices.shape, ...x.shape.slice(1)];
    if (x.dtype === 'float32' && rowSize > 0) {
      return output(backend, outShape, (data) => addon.gatherRows(values(backend, x), idx, data, rowSize));
    }
    const src = backend.data.get(x.dataId).values as Float32Array | Int32Array;
    const dst = x.dtype === 'float32' ? new Float32Array(idx.length * rowSize) : new Int32Array(idx.length * rowSize);
    for (let i = 0; i < idx.length; i++) dst.set(src.subarray(idx[i] * rowSize, (idx[i] + 1) * rowSize), i * rowSize);
    return backend.makeTensorInfo(outShape, x.dtype, dst);
  };
}

// --- matrix products -----------------------------------------------------------------------

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

function matMulKernel(addon: NativeAddon, name: 'BatchMatMul' | '_FusedMatMul', gemm: GemmLibrary): tf.KernelFunc {
  const fallback = cpuKernel(name);
  const library = gemm === 'openblas' ? 1 : 0; // the addon's code: 0 = oneDNN's sgemm, 1 = OpenBLAS's
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const { transposeA, transposeB, activation = 'linear' } = args.attrs as unknown as MatMulAttrs;
    if (!a || !b || !allFloat(a, b, bias) || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    if (preluActivationWeights != null || (activation !== 'linear' && activation !== 'relu')) return fallback(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb || m === 0 || n === 0) return fallback(args);
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const batchShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = size(batchShape);
    if (!((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1))) return fallback(args);
    if (bias != null && (size(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, [...batchShape, m, n], (data) => addon.gemm(
      values(backend, a), values(backend, b), data, batch, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0,
      bias ? values(backend, bias) : null, activation === 'relu' ? 1 : 0, library,
    ));
  };
}

// --- convolutions and pooling --------------------------------------------------------------

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** The addon's 17 geometry integers, or null when oneDNN's output size rule disagrees with tfjs's. */
function convGeometry(info: ConvInfo): number[] | null {
  const { top, left, bottom, right } = info.padInfo;
  const consistent = (inSize: number, pads: number, eff: number, stride: number, outSize: number) =>
    Math.floor((inSize + pads - eff) / stride) + 1 === outSize;
  if (!consistent(info.inHeight, top + bottom, info.effectiveFilterHeight, info.strideHeight, info.outHeight)) return null;
  if (!consistent(info.inWidth, left + right, info.effectiveFilterWidth, info.strideWidth, info.outWidth)) return null;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outChannels,
    info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, top, left, bottom, right,
    info.dilationHeight, info.dilationWidth,
  ];
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
  activation?: string;
}

function conv2dKernel(addon: NativeAddon, name: 'Conv2D' | 'FusedConv2D'): tf.KernelFunc {
  const fallback = cpuKernel(name);
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as ConvAttrs;
    const activation = attrs.activation ?? 'linear';
    if (!x || !filter || !allFloat(x, filter, bias) || attrs.dataFormat === 'NCHW' || x.shape.length !== 4) return fallback(args);
    if (preluActivationWeights != null || (activation !== 'linear' && activation !== 'relu')) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const geometry = convGeometry(info);
    if (geometry == null || (bias != null && size(bias.shape) !== info.outChannels)) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, info.outShape, (data) => {
      addon.conv2dForward(values(backend, x), values(backend, filter), data, ...geometry);
      if (bias != null) addon.binary(data, values(backend, bias), data, BINARY.Add!, null, null, null);
      if (activation === 'relu') addon.unary(data, data, UNARY.Relu!, 0);
    });
  };
}

function conv2dBackpropInputKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('Conv2DBackpropInput');
  return (args) => {
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!dy || !filter || !allFloat(dy, filter) || attrs.dataFormat === 'NCHW' || !attrs.inputShape) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
      attrs.dimRoundingMode, false, 'channelsLast',
    );
    const geometry = convGeometry(info);
    if (geometry == null) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, attrs.inputShape.slice(), (data) => addon.conv2dBackpropInput(values(backend, dy), values(backend, filter), data, ...geometry));
  };
}

function conv2dBackpropFilterKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('Conv2DBackpropFilter');
  return (args) => {
    const { x, dy } = args.inputs;
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!x || !dy || !allFloat(x, dy) || attrs.dataFormat === 'NCHW' || !attrs.filterShape || x.shape.length !== 4) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad,
      attrs.dimRoundingMode, false, 'channelsLast',
    );
    const geometry = convGeometry(info);
    if (geometry == null) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, attrs.filterShape.slice(), (data) => addon.conv2dBackpropFilter(values(backend, x), values(backend, dy), data, ...geometry));
  };
}

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolGeometry(x: Info, attrs: PoolAttrs): [ConvInfo, number[]] {
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
  );
  return [info, [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth,
  ]];
}

function maxPoolKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('MaxPool');
  return (args) => {
    const { x } = args.inputs;
    if (!x || x.dtype !== 'float32' || x.shape.length !== 4 || size(x.shape) === 0) return fallback(args);
    const [info, geometry] = poolGeometry(x, args.attrs as unknown as PoolAttrs);
    if (size(info.outShape) === 0) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, info.outShape, (data) => addon.maxPool(values(backend, x), data, ...geometry));
  };
}

function maxPoolGradKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('MaxPoolGrad');
  return (args) => {
    const { dy, input } = args.inputs;
    if (!dy || !input || !allFloat(dy, input) || input.shape.length !== 4 || size(dy.shape) === 0) return fallback(args);
    const [, geometry] = poolGeometry(input, args.attrs as unknown as PoolAttrs);
    const backend = cpuOf(args);
    return output(backend, input.shape.slice(), (data) => addon.maxPoolGrad(values(backend, dy), values(backend, input), data, ...geometry));
  };
}

// --- batch norm ----------------------------------------------------------------------------

function batchNormTrainKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { x, gamma, beta } = args.inputs;
    if (!x || !gamma || !beta || !allFloat(x, gamma, beta)) throw new Error(`${BN_TRAIN}: expected float32 x, gamma and beta`);
    const backend = cpuOf(args);
    const c = gamma.shape[0];
    const [y, yd] = alloc(backend, x.shape.slice());
    const [mean, md] = alloc(backend, [c]);
    const [variance, vd] = alloc(backend, [c]);
    addon.batchNormForward(
      values(backend, x), values(backend, gamma), values(backend, beta), (args.attrs as unknown as BatchNormTrainAttrs).epsilon, yd, md, vd,
    );
    return [y, mean, variance];
  };
}

function batchNormTrainGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, x, gamma, mean, variance, dmean, dvariance } = args.inputs;
    if (!dy || !x || !gamma || !mean || !variance || !allFloat(dy, x, gamma, mean, variance, dmean, dvariance)) {
      throw new Error(`${BN_TRAIN_GRAD}: expected float32 dy, x, gamma, mean and variance`);
    }
    const backend = cpuOf(args);
    const c = gamma.shape[0];
    const [dx, dxd] = alloc(backend, x.shape.slice());
    const [dgamma, dgd] = alloc(backend, [c]);
    const [dbeta, dbd] = alloc(backend, [c]);
    addon.batchNormBackward(
      values(backend, dy), values(backend, x), values(backend, gamma), values(backend, mean), values(backend, variance),
      (args.attrs as unknown as BatchNormTrainAttrs).epsilon,
      dmean ? values(backend, dmean) : null, dvariance ? values(backend, dvariance) : null, dxd, dgd, dbd,
    );
    return [dx, dgamma, dbeta];
  };
}

// --- group norm ----------------------------------------------------------------------------

function groupNormKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { x, gamma, beta } = args.inputs;
    if (!x || !gamma || !beta || !allFloat(x, gamma, beta)) throw new Error(`${GN}: expected float32 x, gamma and beta`);
    const { groups, epsilon } = args.attrs as unknown as GroupNormAttrs;
    const backend = cpuOf(args);
    const n = x.shape[0];
    const [y, yd] = alloc(backend, x.shape.slice());
    const [mean, md] = alloc(backend, [n, groups]);
    const [rstd, rd] = alloc(backend, [n, groups]);
    addon.groupNormForward(values(backend, x), values(backend, gamma), values(backend, beta), epsilon, n, groups, yd, md, rd);
    return [y, mean, rstd];
  };
}

function groupNormGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, x, gamma, mean, rstd, dmean, drstd } = args.inputs;
    if (!dy || !x || !gamma || !mean || !rstd || !allFloat(dy, x, gamma, mean, rstd, dmean, drstd)) {
      throw new Error(`${GN_GRAD}: expected float32 dy, x, gamma, mean and rstd`);
    }
    const { groups } = args.attrs as unknown as GroupNormAttrs;
    const backend = cpuOf(args);
    const c = gamma.shape[0];
    const [dx, dxd] = alloc(backend, x.shape.slice());
    const [dgamma, dgd] = alloc(backend, [c]);
    const [dbeta, dbd] = alloc(backend, [c]);
    addon.groupNormBackward(
      values(backend, dy), values(backend, x), values(backend, gamma), values(backend, mean), values(backend, rstd),
      dmean ? values(backend, dmean) : null, drstd ? values(backend, drstd) : null, x.shape[0], groups, dxd, dgd, dbd,
    );
    return [dx, dgamma, dbeta];
  };
}

// --- optimizer ----------------------------------------------------------------------------

/**
 * Arrays the SGD kernel allocated for a weight or velocity and may overwrite in its next update.
 * An array leaves the set once anything could hold it beyond its one tensor: read out through
 * readSync/read (register.ts), or viewed by a kernel that returns views of its input (VIEW_KERNELS).
 */
const rewritable = new WeakSet<Float32Array>();

/** No later SGD update may overwrite this array (it has been read out or viewed). */
export function pinValues(values: unknown): void {
  if (values instanceof Float32Array) rewritable.delete(values);
}

/** The cpu backend's kernels whose outputs may be views of their input's array (contiguous slices). */
export const VIEW_KERNELS = ['Slice', 'StridedSlice', 'SplitV', 'Unpack', 'TopK'];

/**
 * The update of one variable (and its velocity) in one native pass. Its output arrays are new,
 * except when an input's array is one this kernel made, still rewritable, and its tensor is the only
 * holder of its data (refCount 1): then the pass writes that array in place and the output tensor
 * shares it, which is safe only because the optimizer assigns the outputs to those very variables
 * straight away (the inputs' old tensors are released then). Nothing else runs this kernel.
 */
function sgdUpdateKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { w, g, velocity, lr } = args.inputs;
    const { momentum, weightDecay, nesterov } = args.attrs as unknown as SgdUpdateAttrs;
    const backend = cpuOf(args);
    if (!w || !g || !lr || !allFloat(w, g, velocity, lr)) throw new Error(`${SGD_UPDATE}: float32 w, g and lr required`);
    const lrValue = values(backend, lr)[0];
    const wv = values(backend, w);
    const gv = values(backend, g);
    const vv = velocity ? values(backend, velocity) : null;
    const n = size(w.shape);
    const target = (t: Info, v: Float32Array): Float32Array => {
      if (rewritable.has(v) && backend.data.get(t.dataId).refCount === 1 && !poisonOutputs) return v;
      const fresh = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
      if (poisonOutputs) fresh.fill(NaN);
      rewritable.add(fresh);
      return fresh;
    };
    const wOut = target(w, wv);
    const vOut = velocity && vv ? target(velocity, vv) : null;
    addon.sgdUpdate(wv, gv, vv, wOut, vOut, lrValue, momentum, weightDecay, nesterov ? 1 : 0);
    const outs = [backend.makeTensorInfo(w.shape.slice(), 'float32', wOut)];
    if (vOut) outs.push(backend.makeTensorInfo(w.shape.slice(), 'float32', vOut));
    return outs;
  };
}

/** A cpu kernel whose outputs may view its inputs' arrays: those arrays become unrewritable first. */
export function pinningInputs(config: tf.KernelConfig): tf.KernelConfig {
  const f = config.kernelFunc;
  return {
    ...config,
    kernelFunc: (args) => {
      const backend = cpuOf(args);
      for (const t of Object.values(args.inputs)) if (t) pinValues(backend.data.get(t.dataId)?.values);
      return f(args);
    },
  };
}

/** Every kernel the native backend runs natively (the rest are the cpu backend's, copied). */
export function nativeKernelConfigs(addon: NativeAddon, options: Pick<BackendOptions, 'gemm' | 'fusedSgd'> = DEFAULT_BACKEND_OPTIONS): tf.KernelConfig[] {
  const funcs: [string, tf.KernelFunc][] = [
    ...Object.entries(BINARY).map(([name, op]): [string, tf.KernelFunc] => [name, binaryKernel(addon, name, op)]),
    ...Object.entries(UNARY).map(([name, op]): [string, tf.KernelFunc] => [name, unaryKernel(addon, name, op)]),
    ...Object.entries(REDUCE).map(([name, op]): [string, tf.KernelFunc] => [name, reduceKernel(addon, name, op)]),
    ['Transpose', transposeKernel(addon)],
    ['GatherV2', gatherKernel(addon)],
    ['BatchMatMul', matMulKernel(addon, 'BatchMatMul', options.gemm)],
    ['_FusedMatMul', matMulKernel(addon, '_FusedMatMul', options.gemm)],
    ['Conv2D', conv2dKernel(addon, 'Conv2D')],
    ['FusedConv2D', conv2dKernel(addon, 'FusedConv2D')],
    ['Conv2DBackpropInput', conv2dBackpropInputKernel(addon)],
    ['Conv2DBackpropFilter', conv2dBackpropFilterKernel(addon)],
    ['MaxPool', maxPoolKernel(addon)],
    ['MaxPoolGrad', maxPoolGradKernel(addon)],
    [BN_TRAIN, batchNormTrainKernel(addon)],
    [BN_TRAIN_GRAD, batchNormTrainGradKernel(addon)],
    [GN, groupNormKernel(addon)],
    [GN_GRAD, groupNormGradKernel(addon)],
    // fusedSgd false (BATCHLAB_NATIVE_SGD=off): the optimizer's op chain instead (the update as before this kernel,
    // for comparisons). An addon built before this kernel existed lacks sgdUpdate: the op chain then too.
    ...(!options.fusedSgd || typeof addon.sgdUpdate !== 'function'
      ? [] : [[SGD_UPDATE, sgdUpdateKernel(addon)] as [string, tf.KernelFunc]]),
  ];
  return funcs.map(([kernelName, kernelFunc]) => ({ kernelName, backendName: NATIVE, kernelFunc: withOpName(kernelName, kernelFunc) }));
}

/** Native errors already name their op; this names the tfjs kernel too, for errors raised in between. */
function withOpName(name: string, f: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    try {
      return f(args);
    } catch (err) {
      if (err instanceof Error && !err.message.includes(name)) err.message = `${name}: ${err.message}`;
      throw err;
    }
  };
}

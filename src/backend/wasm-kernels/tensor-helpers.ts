/**
 * Small tensor helpers shared by the composed wasm kernels. All of them run tfjs ops on the
 * active backend, so they are only called from inside kernels registered for 'wasm'.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../../errors.ts';

/**
 * The kernel input `name` as a Tensor. A kernel receives TensorInfos, which are not always
 * Tensors; wrapping one bumps the data's reference count, so call this inside tf.tidy.
 */
export function inputTensor<R extends tf.Rank = tf.Rank>(
  inputs: tf.NamedTensorInfoMap,
  name: string,
): tf.Tensor<R> {
  const info = inputs[name];
  if (info == null) {
    throw new InternalError(`kernel input '${name}' is missing`);
  }
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/**
 * Pads (positive amounts) and crops (negative amounts) each axis of `x`.
 * `amounts[i] = [before, after]`; `value` fills the padded cells.
 */
export function padOrCrop<T extends tf.Tensor>(x: T, amounts: [number, number][], value = 0): T {
  const begin = amounts.map(([b]) => Math.max(0, -b));
  const size = x.shape.map((d, i) => d - begin[i] - Math.max(0, -amounts[i][1]));
  const needsCrop = begin.some((b, i) => b > 0 || size[i] < x.shape[i]);
  const cropped = needsCrop ? tf.slice(x, begin, size) : x;
  const pads = amounts.map(([b, a]) => [Math.max(0, b), Math.max(0, a)] as [number, number]);
  if (pads.every(([b, a]) => b === 0 && a === 0)) return cropped as T;
  return tf.pad(cropped, pads, value) as T;
}

/**
 * Inserts `sh - 1` zero rows after each row and `sw - 1` zero columns after each column of an
 * NHWC tensor: [N,H,W,C] -> [N,H*sh,W*sw,C]. This is how a strided convolution's output
 * gradient is spread back over the input grid.
 */
export function zeroUpsample(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const spread = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [
      [0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0],
    ]);
    return tf.reshape(spread, [n, h * sh, w * sw, c]);
  });
}

/**
 * The input gradient's first step for a (depthwise) convolution: the NHWC output gradient `dy`
 * zero-upsampled by the stride and padded (or cropped) so that a stride-1 'valid' convolution
 * with the flipped filter yields exactly the input's height and width: every input pixel then
 * sees the taps that read it in the forward pass (effective filter size - 1 - padTop rows on top).
 */
export function spreadOutputGrad(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w, padInfo } = info;
  const { effectiveFilterHeight: effH, effectiveFilterWidth: effW } = info;
  const up = zeroUpsample(dy, sh, sw);
  const top = effH - 1 - padInfo.top;
  const left = effW - 1 - padInfo.left;
  // A 'valid' conv with an effH x effW filter over (h + effH - 1) rows yields exactly h rows.
  return padOrCrop(up, [
    [0, 0],
    [top, h + effH - 1 - top - up.shape[1]],
    [left, w + effW - 1 - left - up.shape[2]],
    [0, 0],
  ]);
}

/** NCHW <-> NHWC for kernels whose composed math is written for NHWC only. */
export function toNHWC(x: tf.Tensor4D, dataFormat: string | undefined): tf.Tensor4D {
  return dataFormat === 'NCHW' ? tf.transpose(x, [0, 2, 3, 1]) : x;
}

export function fromNHWC(x: tf.Tensor4D, dataFormat: string | undefined): tf.Tensor4D {
  return dataFormat === 'NCHW' ? tf.transpose(x, [0, 3, 1, 2]) : x;
}

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;
export type Pair = number | [number, number];

/** Expands a scalar-or-pair attribute (strides, dilations, filter size) into [h, w]. */
export function pair(v: Pair | undefined, fallback = 1): [number, number] {
  if (v == null) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

export type Shape4D = [number, number, number, number];

interface ConvGradAttrs {
  strides: Pair;
  pad: Pad;
  dimRoundingMode?: RoundingMode;
}

/** The attributes of Conv2DBackpropInput / Conv2DBackpropFilter (dilation 1), less the shape. */
export interface Conv2DGradAttrs extends ConvGradAttrs {
  dataFormat?: 'NHWC' | 'NCHW';
}

/** The attributes of the DepthwiseConv2dNative gradients (NHWC only), less the shape. */
export interface DepthwiseGradAttrs extends ConvGradAttrs {
  dilations?: Pair;
}

/** The geometry of a conv2d of `inShape` by `filterShape` ([KH,KW,C,O]), shapes in the attrs' data format. */
export function conv2dInfo(inShape: Shape4D, filterShape: Shape4D, attrs: Conv2DGradAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
}

/** The geometry of a depthwise conv2d of NHWC `inShape` by `filterShape` ([KH,KW,C,M]). */
export function depthwiseInfo(inShape: Shape4D, filterShape: Shape4D, attrs: DepthwiseGradAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, true,
  );
}

/** Reads kernel input `name` as a Tensor (see inputTensor). */
export type KernelInput = <R extends tf.Rank = tf.Rank>(name: string) => tf.Tensor<R>;

/**
 * A wasm kernel composed from tfjs ops: `run` gets the inputs by name, the attributes and the
 * backend, and runs inside tf.tidy.
 */
export function composedKernel<A>(
  kernelName: string,
  run: (input: KernelInput, attrs: A, backend: unknown) => tf.Tensor,
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      tf.tidy(() => run(<R extends tf.Rank = tf.Rank>(name: string) => inputTensor<R>(inputs, name), attrs as unknown as A, backend)),
  };
}

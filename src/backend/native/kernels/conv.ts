/**
 * Convolutions: Conv2D, FusedConv2D (bias, linear or ReLU), Conv2DBackpropInput and
 * Conv2DBackpropFilter as oneDNN convolution primitives on NHWC activations and HWIO filters
 * (cached per shape in the addon).
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.ts';
import { BINARY_OPS, UNARY_OPS } from '../op-codes.ts';
import { allFloat, cpuKernel, cpuOf, output, size, values, type Info, type NamedKernels } from './support.ts';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Shape4 = [number, number, number, number];

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
  inputShape?: Shape4;
  filterShape?: Shape4;
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
      x.shape as Shape4, filter.shape as Shape4, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const geometry = convGeometry(info);
    if (geometry == null || (bias != null && size(bias.shape) !== info.outChannels)) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, info.outShape, (data) => {
      addon.conv2dForward(values(backend, x), values(backend, filter), data, ...geometry);
      if (bias != null) addon.binary(data, values(backend, bias), data, BINARY_OPS.Add!, null, null, null);
      if (activation === 'relu') addon.unary(data, data, UNARY_OPS.Relu!, 0);
    });
  };
}

/** What a conv gradient kernel takes from tfjs: its two inputs, its input and filter shapes, and what it computes. */
interface ConvGradient {
  name: 'Conv2DBackpropInput' | 'Conv2DBackpropFilter';
  /** The kernel's two tensor inputs, in the addon's argument order. */
  inputs: (inputs: tf.NamedTensorInfoMap) => [Info | undefined, Info | undefined];
  /** The forward conv's input and filter shapes (one from the attributes, one from an input), or null to fall back. */
  shapes: (attrs: ConvAttrs, inputs: [Info, Info]) => [Shape4, Shape4] | null;
  /** The gradient's shape: the input's or the filter's. */
  outShape: (shapes: [Shape4, Shape4]) => Shape4;
  run: (addon: NativeAddon, a: Float32Array, b: Float32Array, out: Float32Array, geometry: number[]) => void;
}

/** A conv gradient kernel natively for NHWC float32 at stride/padding oneDNN agrees on; else the cpu backend's. */
function convGradientKernel(addon: NativeAddon, g: ConvGradient): tf.KernelFunc {
  const fallback = cpuKernel(g.name);
  return (args) => {
    const [a, b] = g.inputs(args.inputs);
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!a || !b || !allFloat(a, b) || attrs.dataFormat === 'NCHW') return fallback(args);
    const shapes = g.shapes(attrs, [a, b]);
    if (shapes == null) return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(shapes[0], shapes[1], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const geometry = convGeometry(info);
    if (geometry == null) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, g.outShape(shapes).slice(), (data) => g.run(addon, values(backend, a), values(backend, b), data, geometry));
  };
}

const BACKPROP_INPUT: ConvGradient = {
  name: 'Conv2DBackpropInput',
  inputs: ({ dy, filter }) => [dy, filter],
  shapes: (attrs, [, filter]) => (attrs.inputShape ? [attrs.inputShape, filter.shape as Shape4] : null),
  outShape: ([input]) => input,
  run: (addon, dy, filter, dx, geometry) => addon.conv2dBackpropInput(dy, filter, dx, ...geometry),
};

const BACKPROP_FILTER: ConvGradient = {
  name: 'Conv2DBackpropFilter',
  inputs: ({ x, dy }) => [x, dy],
  shapes: (attrs, [x]) => (attrs.filterShape && x.shape.length === 4 ? [x.shape as Shape4, attrs.filterShape] : null),
  outShape: ([, filter]) => filter,
  run: (addon, x, dy, dw, geometry) => addon.conv2dBackpropFilter(x, dy, dw, ...geometry),
};

export function convKernels(addon: NativeAddon): NamedKernels {
  return [
    ['Conv2D', conv2dKernel(addon, 'Conv2D')],
    ['FusedConv2D', conv2dKernel(addon, 'FusedConv2D')],
    ['Conv2DBackpropInput', convGradientKernel(addon, BACKPROP_INPUT)],
    ['Conv2DBackpropFilter', convGradientKernel(addon, BACKPROP_FILTER)],
  ];
}

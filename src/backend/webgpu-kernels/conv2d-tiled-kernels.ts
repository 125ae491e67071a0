/**
 * Conv2D, FusedConv2D and Conv2DBackpropInput on webgpu through batchlab's tiled program
 * (conv2d-tiled.ts), for NHWC float32 at any filter size, stride, padding, rounding and dilation.
 * Falls back to tfjs's kernel for NCHW, other dtypes, fused PReLU / leaky ReLU / ELU / sigmoid,
 * a bias other than one value per output channel or one value for all, and empty tensors.
 * (A bias of shape [1] is handled here: tfjs-webgpu 4.22's own kernel gives values far from the
 * cpu backend's for it, relative error ~1.9 in conv2d-tiled.test.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import {
  Conv2DTiledProgram, convTileUniforms, planConvTile, type ConvTileMode, type ConvTileShape, type TiledActivation,
} from './conv2d-tiled.ts';
import type { WebgpuProgramRunner } from './filter-grad-run.ts';
import { replaceWebgpuKernel } from './replace-kernel.ts';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

interface InputGradAttrs {
  inputShape: [number, number, number, number];
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const TILED_ACTIVATIONS: readonly string[] = ['linear', 'relu', 'relu6'] satisfies TiledActivation[];

/** The tiled program's sizes from tfjs's Conv2DInfo. */
export function convTileShapeOf(info: tf.backend_util.Conv2DInfo): ConvTileShape {
  return {
    batchSize: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, inChannels: info.inChannels,
    outHeight: info.outHeight, outWidth: info.outWidth, outChannels: info.outChannels,
    filterHeight: info.filterHeight, filterWidth: info.filterWidth,
    strides: [info.strideHeight, info.strideWidth], pads: [info.padInfo.top, info.padInfo.left],
    dilations: [info.dilationHeight, info.dilationWidth],
  };
}

/** Runs the tiled program: `src` is x (forward) or dy (input gradient). */
export function runConv2dTiled(
  backend: WebgpuProgramRunner, mode: ConvTileMode, src: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo,
  bias?: tf.TensorInfo, activation: TiledActivation = 'linear',
): tf.TensorInfo {
  const shape = convTileShapeOf(info);
  const plan = planConvTile(mode, shape);
  const biasKind = bias == null ? 'none' : tf.util.sizeFromShape(bias.shape) === 1 ? 'one' : 'channel';
  const program = new Conv2DTiledProgram(shape, plan, biasKind, activation);
  return backend.runWebGPUProgram(program, bias ? [src, filter, bias] : [src, filter], 'float32', convTileUniforms(shape, plan));
}

const isFloat4D = (...ts: tf.TensorInfo[]) => ts.every((t) => t.dtype === 'float32' && t.shape.length === 4 && t.shape.every((d) => d > 0));

function forwardInfo(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

export function registerConv2dTiled(): void {
  replaceWebgpuKernel('Conv2D', (stock) => (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    if (attrs.dataFormat === 'NCHW' || !isFloat4D(x, filter)) return stock(args);
    const info = forwardInfo(x, filter, attrs);
    if (info.outHeight <= 0 || info.outWidth <= 0) return stock(args);
    return runConv2dTiled(args.backend as WebgpuProgramRunner, 'forward', x, filter, info);
  });

  replaceWebgpuKernel('FusedConv2D', (stock) => (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    const activation = attrs.activation ?? 'linear';
    if (attrs.dataFormat === 'NCHW' || x == null || filter == null || !isFloat4D(x, filter) || preluActivationWeights != null
      || !TILED_ACTIVATIONS.includes(activation)) return stock(args);
    // A bias of one value per output channel ([O]), or one value for all ([] or [1]).
    const size = bias == null ? 0 : tf.util.sizeFromShape(bias.shape);
    const handledBias = bias == null || (bias.dtype === 'float32' && bias.shape.length <= 1 && (size === 1 || size === filter.shape[3]));
    if (!handledBias) return stock(args);
    const info = forwardInfo(x, filter, attrs);
    if (info.outHeight <= 0 || info.outWidth <= 0) return stock(args);
    return runConv2dTiled(args.backend as WebgpuProgramRunner, 'forward', x, filter, info, bias, activation as TiledActivation);
  });

  replaceWebgpuKernel('Conv2DBackpropInput', (stock) => (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as InputGradAttrs;
    if (attrs.dataFormat === 'NCHW' || !isFloat4D(dy, filter) || attrs.inputShape.some((d) => d <= 0)) return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    return runConv2dTiled(args.backend as WebgpuProgramRunner, 'input-grad', dy, filter, info);
  });
}

/**
 * DepthwiseConv2dNativeBackpropFilter on webgpu by batchlab's chunked, deterministic reduction
 * (filter-grad-plan.ts). Handles float32 inputs with dilation 1 at any stride, padding and
 * channel multiplier; dilations above 1 go to tfjs-webgpu's own kernel (tfjs's depthwise
 * gradient refuses them, so only a direct runKernel call can ask for one).
 */
import * as tf from '@tensorflow/tfjs';
import { runFilterGrad, type WebgpuProgramRunner } from './filter-grad-run.ts';
import { replaceWebgpuKernel } from './replace-kernel.ts';

interface Attrs {
  strides: [number, number] | number;
  dilations?: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

const isOne = (d: Attrs['dilations']) => d == null || (typeof d === 'number' ? d === 1 : d.every((v) => v === 1));

export function handlesDepthwiseBackpropFilter(x: tf.TensorInfo, dy: tf.TensorInfo, attrs: Attrs): boolean {
  return isOne(attrs.dilations) && x.dtype === 'float32' && dy.dtype === 'float32' && x.shape.length === 4;
}

export function registerDepthwiseBackpropFilter(): void {
  replaceWebgpuKernel('DepthwiseConv2dNativeBackpropFilter', (stock) => (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as Attrs;
    if (!handlesDepthwiseBackpropFilter(x, dy, attrs)) return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, true);
    return runFilterGrad(args.backend as WebgpuProgramRunner, x, dy, 'depthwise', info, attrs.filterShape);
  });
}

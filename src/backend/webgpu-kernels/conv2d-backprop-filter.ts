/**
 * Conv2DBackpropFilter on webgpu by batchlab's chunked, deterministic reduction
 * (filter-grad-plan.ts). Handles NHWC float32 inputs, any stride, padding and rounding;
 * everything else (NCHW) goes to tfjs-webgpu's own kernel. tfjs's conv2d gradient allows only
 * dilation 1, and this kernel has no dilation attribute.
 */
import * as tf from '@tensorflow/tfjs';
import { runFilterGrad, type WebgpuProgramRunner } from './filter-grad-run.ts';
import { replaceWebgpuKernel } from './replace-kernel.ts';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Whether batchlab's kernel takes these inputs and attributes (else tfjs's runs). */
export function handlesConv2dBackpropFilter(x: tf.TensorInfo, dy: tf.TensorInfo, attrs: Attrs): boolean {
  return attrs.dataFormat !== 'NCHW' && x.dtype === 'float32' && dy.dtype === 'float32' && x.shape.length === 4;
}

export function registerConv2dBackpropFilter(): void {
  replaceWebgpuKernel('Conv2DBackpropFilter', (stock) => (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as Attrs;
    if (!handlesConv2dBackpropFilter(x, dy, attrs)) return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    return runFilterGrad(args.backend as WebgpuProgramRunner, x, dy, 'conv', info, attrs.filterShape);
  });
}

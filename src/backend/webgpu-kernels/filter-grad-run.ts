/**
 * Runs batchlab's filter gradient (filter-grad-plan.ts, filter-grad-programs.ts) on the webgpu
 * backend: the partial sums, then, with more than one chunk, their sum in chunk order. The
 * partials are freed once the second program is recorded.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_FILTER_GRAD_TILING, planFilterGrad, type FilterGradMode } from './filter-grad-plan.ts';
import {
  FilterGradPartialsProgram, FilterGradSumChunksProgram, partialsUniforms, sumChunksUniforms,
  type FilterGradConstants, type UniformData,
} from './filter-grad-programs.ts';

/** The part of tfjs-webgpu's WebGPUBackend these kernels call. */
export interface WebgpuProgramRunner {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms?: UniformData): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/**
 * x [N,H,W,C] and dy [N,OH,OW,O] (NHWC, float32) -> the filter gradient of shape `filterShape`
 * ([KH,KW,C,O] for conv, [KH,KW,C,M] for depthwise with O = C*M). `info` is tfjs's
 * computeConv2DInfo for the forward convolution; dilations must be 1 for depthwise
 * (tfjs's gradients refuse others). `tiling` overrides the threads' channel tiles (for measuring).
 */
export function runFilterGrad(
  backend: WebgpuProgramRunner, x: tf.TensorInfo, dy: tf.TensorInfo, mode: FilterGradMode,
  info: tf.backend_util.Conv2DInfo, filterShape: number[], tiling = DEFAULT_FILTER_GRAD_TILING[mode],
): tf.TensorInfo {
  const outChannels = mode === 'conv' ? info.outChannels : info.outChannels / info.inChannels;
  const constants: FilterGradConstants = {
    filterHeight: info.filterHeight, filterWidth: info.filterWidth, inChannels: info.inChannels, outChannels,
  };
  const plan = planFilterGrad(mode, {
    batchSize: info.batchSize, outHeight: info.outHeight, outWidth: info.outWidth, inChannels: info.inChannels,
    filterHeight: info.filterHeight, filterWidth: info.filterWidth, outChannels,
  }, tiling);
  const uniforms = partialsUniforms(plan, {
    inHeight: info.inHeight, inWidth: info.inWidth, outHeight: info.outHeight, outWidth: info.outWidth,
    strides: [info.strideHeight, info.strideWidth],
    pads: [info.padInfo.top, info.padInfo.left],
    dilations: [info.dilationHeight, info.dilationWidth],
  });
  if (plan.chunks === 1) {
    return backend.runWebGPUProgram(new FilterGradPartialsProgram(plan, constants, filterShape), [x, dy], 'float32', uniforms);
  }
  const partials = backend.runWebGPUProgram(
    new FilterGradPartialsProgram(plan, constants, [plan.chunks, plan.filterSize]), [x, dy], 'float32', uniforms);
  try {
    return backend.runWebGPUProgram(new FilterGradSumChunksProgram(filterShape), [partials], 'float32', sumChunksUniforms(plan));
  } finally {
    backend.disposeData(partials.dataId);
  }
}

/** The attributes of tfjs's Conv2DBackpropFilter and DepthwiseConv2dNativeBackpropFilter. */
export interface FilterGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  /** Conv2DBackpropFilter only. */
  dataFormat?: 'NHWC' | 'NCHW';
  /** DepthwiseConv2dNativeBackpropFilter only. */
  dilations?: [number, number] | number;
}

/**
 * A filter-gradient kernel function that runs batchlab's programs on float32 inputs whose
 * attributes `handles` accepts (which must imply NHWC and dilation 1), and `stock` otherwise.
 */
export function filterGradKernel(mode: FilterGradMode, handles: (attrs: FilterGradAttrs) => boolean): (stock: tf.KernelFunc) => tf.KernelFunc {
  return (stock) => (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as FilterGradAttrs;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4 || !handles(attrs)) return stock(args);
    // No positions to sum: the gradient is zeros. (tfjs-webgpu's kernel would bind an empty
    // buffer, which WebGPU refuses, and return whatever its pooled output buffer held.)
    if (x.shape.some((d) => d === 0) || dy.shape.some((d) => d === 0)) {
      const size = attrs.filterShape.reduce((a, b) => a * b, 1);
      return (args.backend as WebgpuProgramRunner).makeTensorInfo(attrs.filterShape, 'float32', new Float32Array(size));
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
      mode === 'depthwise', 'channelsLast');
    return runFilterGrad(args.backend as WebgpuProgramRunner, x, dy, mode, info, attrs.filterShape);
  };
}

/** Max pooling, NHWC: MaxPool and MaxPoolGrad (the gradient goes to each window's first maximum, as on cpu). */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.ts';
import { allFloat, cpuKernel, cpuOf, output, size, values, type Info, type NamedKernels } from './support.ts';

type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolGeometry(x: Info, attrs: PoolAttrs): [PoolInfo, number[]] {
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

export function poolKernels(addon: NativeAddon): NamedKernels {
  return [['MaxPool', maxPoolKernel(addon)], ['MaxPoolGrad', maxPoolGradKernel(addon)]];
}

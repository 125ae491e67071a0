/** Reduction kernels: Sum, Mean, Max over one contiguous block of axes (leading, trailing or inner). */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.ts';
import { REDUCE_OPS } from '../op-codes.ts';
import { cpuKernel, cpuOf, output, size, values, type NamedKernels } from './support.ts';

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

export function reduceKernels(addon: NativeAddon): NamedKernels {
  return Object.entries(REDUCE_OPS).map(([name, mode]): [string, tf.KernelFunc] => [name, reduceKernel(addon, name, mode)]);
}

/**
 * Element-wise kernels: Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference with any
 * broadcast; Relu, Relu6, Step (ReLU's gradient), Neg, Square, Exp, Log, Sqrt, Rsqrt, Abs.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.ts';
import { BINARY_OPS, UNARY_OPS } from '../op-codes.ts';
import { allFloat, cpuKernel, cpuOf, output, size, values, type NamedKernels } from './support.ts';

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

export function elementwiseKernels(addon: NativeAddon): NamedKernels {
  return [
    ...Object.entries(BINARY_OPS).map(([name, op]): [string, tf.KernelFunc] => [name, binaryKernel(addon, name, op)]),
    ...Object.entries(UNARY_OPS).map(([name, op]): [string, tf.KernelFunc] => [name, unaryKernel(addon, name, op)]),
  ];
}

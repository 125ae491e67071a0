/**
 * Fast Sum and Mean over leading axes for wasm. Reducing NHWC activations over [N,H,W] (every
 * batch-norm forward and backward does this) is ~4x slower in the stock kernels than an
 * XNNPACK average pool whose window covers the reduced axes: x viewed as [1,R,1,C] pooled with
 * an [R,1] window is the mean over the R leading positions. (A matrix product with a ones
 * vector looks faster in a loop over one tensor, but re-packs fresh data every call: slower.)
 */
import * as tf from '@tensorflow/tfjs';
import { inputTensor } from './tensor-helpers.ts';

interface Attrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * The number of leading axes reduced when `axis` is exactly 0..k-1 with 0 < k < rank,
 * else null (then the stock kernel runs).
 */
export function leadingAxesCount(axis: number | number[], rank: number): number | null {
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))]
    .sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k >= rank || axes.some((a, i) => a !== i)) return null;
  return k;
}

function wrapReduce(original: tf.KernelConfig, mean: boolean): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs;
    const { axis, keepDims } = args.attrs as unknown as Attrs;
    const k = x && x.dtype === 'float32' ? leadingAxesCount(axis, x.shape.length) : null;
    if (k == null || x!.shape.some((d) => d === 0)) return original.kernelFunc(args);
    const shape = x!.shape;
    const rows = shape.slice(0, k).reduce((a, b) => a * b, 1);
    const kept = shape.slice(k);
    const outShape = keepDims ? [...shape.slice(0, k).map(() => 1), ...kept] : kept;
    return tf.tidy(() => {
      const xt = inputTensor(args.inputs, 'x');
      const cols = xt.size / rows;
      const avg = tf.avgPool(tf.reshape(xt, [1, rows, 1, cols]) as tf.Tensor4D, [rows, 1], 1, 'valid');
      return tf.reshape(mean ? avg : tf.mul(avg, rows), outShape);
    });
  };
  return { ...original, kernelFunc };
}

/** Wraps the stock Sum kernel (float32 reductions over leading axes take the fast path). */
export function fastSumConfig(original: tf.KernelConfig): tf.KernelConfig {
  return wrapReduce(original, false);
}

/** Wraps the stock Mean kernel (float32 reductions over leading axes take the fast path). */
export function fastMeanConfig(original: tf.KernelConfig): tf.KernelConfig {
  return wrapReduce(original, true);
}

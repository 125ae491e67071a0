/**
 * Fast transposed BatchMatMul for wasm. The stock kernel hands a product to XNNPACK only when
 * neither operand is transposed and the batch is 1; otherwise it runs a naive loop (~3 GFLOP/s
 * here vs ~40). Every Dense layer's backward pass multiplies by a transpose (dW = x^T dy,
 * dx = dy W^T), so training an MLP ran almost entirely in that loop. Transposing the operand
 * physically (wasm's Transpose is a fast copy) and calling the stock kernel untransposed puts
 * these products on XNNPACK.
 */
import * as tf from '@tensorflow/tfjs';
import { inputTensor } from './tensor-helpers.ts';

interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** True when all dimensions but the last two are 1 (so the stock kernel's fast path applies). */
function isSingleBatch(info: tf.TensorInfo): boolean {
  return info.shape.slice(0, -2).every((d) => d === 1);
}

/** Swaps the last two axes: [..., r, c] -> [..., c, r]. */
function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
}

/** Wraps the stock BatchMatMul kernel; everything but the transposed batch-1 float32 case passes through. */
export function fastTransposedMatMulConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as Attrs;
    const applies = (transposeA || transposeB) && a && b &&
      a.dtype === 'float32' && b.dtype === 'float32' && isSingleBatch(a) && isSingleBatch(b);
    if (!applies) return original.kernelFunc(args);
    const [aa, bb] = tf.tidy(() => {
      const at = inputTensor(args.inputs, 'a');
      const bt = inputTensor(args.inputs, 'b');
      return [transposeA ? swapLastTwo(at) : tf.clone(at), transposeB ? swapLastTwo(bt) : tf.clone(bt)];
    });
    try {
      return original.kernelFunc({
        ...args,
        inputs: { a: aa, b: bb },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      tf.dispose([aa, bb]);
    }
  };
  return { ...original, kernelFunc };
}

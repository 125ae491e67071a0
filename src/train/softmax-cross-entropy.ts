/**
 * Softmax cross-entropy as one kernel with its own gradient kernel, on backends that register
 * them (webgpu: src/backend/webgpu-kernels/softmax-cross-entropy.ts; native:
 * src/backend/native/kernels/softmax-xent.ts, which keeps the composition's bits). Elsewhere
 * loss.ts keeps tfjs's tf.losses.softmaxCrossEntropy and tf.mean / tf.sum, so their results do
 * not change.
 *
 *   BatchlabSoftmaxCrossEntropy      inputs logits [..., C], labels [..., C] (float32);
 *                                    attr reduction ('none' | 'mean' | 'sum')
 *                                    outputs loss ([...] or a scalar), lse [...] (row log-sum-exp)
 *   BatchlabSoftmaxCrossEntropyGrad  inputs dy (the loss's shape), logits, labels, lse;
 *                                    attr reduction; outputs dlogits
 *
 * The gradients are tfjs's: dlogits = dy (softmax - labels), dlabels = dy (labels - softmax)
 * (dy / rows for the mean; dlabels from tensor ops, and only when asked for).
 */
import * as tf from '@tensorflow/tfjs';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD, type SoftmaxCrossEntropyAttrs } from '../backend/kernel-names.ts';

export type CrossEntropyReduction = SoftmaxCrossEntropyAttrs['reduction'];

tf.registerGradient({
  kernelName: SOFTMAX_XENT,
  inputsToSave: ['logits', 'labels'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const [logits, labels, lse] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    const dy = (dys as tf.Tensor[])[0]!;
    const { reduction } = attrs as unknown as SoftmaxCrossEntropyAttrs;
    return {
      // A kernel function that returns an array gets an array back from runKernel.
      logits: () => (tf.engine().runKernel(SOFTMAX_XENT_GRAD, { dy, logits, labels, lse }, attrs) as tf.Tensor[])[0]!,
      labels: () => tf.tidy(() => {
        const rows = lse.size;
        const perRow = reduction === 'none' ? dy : tf.broadcastTo(reduction === 'mean' ? tf.div(dy, rows) : dy, lse.shape);
        const shape = [...lse.shape, 1];
        return tf.mul(tf.reshape(perRow, shape), tf.sub(labels, tf.exp(tf.sub(logits, tf.reshape(lse, shape)))));
      }),
    };
  },
});

/** Whether the current backend runs the fused kernel for these operands. */
export function hasFusedSoftmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): boolean {
  return logits.dtype === 'float32' && labels.dtype === 'float32' && logits.rank >= 1 && logits.size > 0 &&
    tf.util.arraysEqual(logits.shape, labels.shape) && tf.getKernel(SOFTMAX_XENT, tf.getBackend()) != null;
}

/**
 * Softmax cross-entropy of `logits` against `labels` (same shape): per row ('none', the shape
 * without the last axis) or its mean or sum over the rows (a scalar).
 */
export function fusedSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor, reduction: CrossEntropyReduction): tf.Tensor {
  const attrs: SoftmaxCrossEntropyAttrs = { reduction };
  const [loss, lse] = tf.engine().runKernel(SOFTMAX_XENT, { logits, labels }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  lse!.dispose();
  return loss!;
}

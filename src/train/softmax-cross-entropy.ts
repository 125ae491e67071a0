/**
 * Softmax cross-entropy per example as one kernel with its own gradient kernel, on backends that
 * register them (webgpu: src/backend/webgpu-kernels/softmax-cross-entropy.ts). Elsewhere
 * loss.ts keeps tfjs's tf.losses.softmaxCrossEntropy, so their results do not change.
 *
 *   BatchlabSoftmaxCrossEntropy      inputs logits [..., C], labels [..., C] (float32)
 *                                    outputs loss [...], lse [...] (each row's log-sum-exp)
 *   BatchlabSoftmaxCrossEntropyGrad  inputs dy [...], logits, labels, lse; outputs dlogits
 *
 * The gradients are tfjs's: dlogits = dy (softmax - labels), dlabels = dy (labels - softmax)
 * (the latter from tensor ops, and only when asked for).
 */
import * as tf from '@tensorflow/tfjs';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD } from '../backend/kernel-names.ts';

tf.registerGradient({
  kernelName: SOFTMAX_XENT,
  inputsToSave: ['logits', 'labels'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    const [logits, labels, lse] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    const dy = (dys as tf.Tensor[])[0]!;
    return {
      // A kernel function that returns an array gets an array back from runKernel.
      logits: () => (tf.engine().runKernel(SOFTMAX_XENT_GRAD, { dy, logits, labels, lse }) as tf.Tensor[])[0]!,
      labels: () => tf.tidy(() => {
        const shape = [...dy.shape, 1];
        return tf.mul(tf.reshape(dy, shape), tf.sub(labels, tf.exp(tf.sub(logits, tf.reshape(lse, shape)))));
      }),
    };
  },
});

/** Whether the current backend runs the fused kernel for these operands. */
export function hasFusedSoftmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): boolean {
  return logits.dtype === 'float32' && labels.dtype === 'float32' && logits.rank >= 1 &&
    tf.util.arraysEqual(logits.shape, labels.shape) && tf.getKernel(SOFTMAX_XENT, tf.getBackend()) != null;
}

/** Per-row softmax cross-entropy of `logits` against `labels` (same shape): shape without the last axis. */
export function fusedSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  const [loss, lse] = tf.engine().runKernel(SOFTMAX_XENT, { logits, labels }) as tf.Tensor[];
  lse!.dispose();
  return loss!;
}

/**
 * Per-example losses and their reduction. Classification: softmax cross-entropy on logits (one
 * kernel each way, the reduction included, where the backend has it: softmax-cross-entropy.ts);
 * regression: MSE.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedSoftmaxCrossEntropy, hasFusedSoftmaxCrossEntropy } from './softmax-cross-entropy.ts';

export type Task = 'classification' | 'regression';
export type Reduction = 'mean' | 'sum';

/** Loss per example, shape [B]: y is one-hot [B,C] (classification) or targets [B,D] (regression). */
export function perExampleLoss(task: Task, output: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => (task === 'classification' && hasFusedSoftmaxCrossEntropy(output, y)
    ? fusedSoftmaxCrossEntropy(y, output, 'none')
    : composedPerExampleLoss(task, output, y))) as tf.Tensor1D;
}

/** The training objective: mean or sum of the per-example losses. */
export function reducedLoss(task: Task, reduction: Reduction, output: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (task === 'classification' && hasFusedSoftmaxCrossEntropy(output, y)) return fusedSoftmaxCrossEntropy(y, output, reduction) as tf.Scalar;
    const losses = composedPerExampleLoss(task, output, y);
    return (reduction === 'mean' ? tf.mean(losses) : tf.sum(losses)) as tf.Scalar;
  });
}

/** perExampleLoss from tfjs's own ops, where the backend has no fused kernel (its caller checked). */
function composedPerExampleLoss(task: Task, output: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return task === 'classification'
    ? tf.losses.softmaxCrossEntropy(y, output, undefined, undefined, tf.Reduction.NONE)
    : tf.mean(tf.squaredDifference(output, y), -1);
}

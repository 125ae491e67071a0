/**
 * Per-example losses and their reduction. Classification: softmax cross-entropy on logits (one
 * kernel each way where the backend has it: softmax-cross-entropy.ts); regression: MSE.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedSoftmaxCrossEntropy, hasFusedSoftmaxCrossEntropy } from './softmax-cross-entropy.ts';

export type Task = 'classification' | 'regression';
export type Reduction = 'mean' | 'sum';

/** Loss per example, shape [B]: y is one-hot [B,C] (classification) or targets [B,D] (regression). */
export function perExampleLoss(task: Task, output: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() =>
    task === 'classification'
      ? (hasFusedSoftmaxCrossEntropy(output, y)
        ? fusedSoftmaxCrossEntropy(y, output)
        : tf.losses.softmaxCrossEntropy(y, output, undefined, undefined, tf.Reduction.NONE))
      : tf.mean(tf.squaredDifference(output, y), -1),
  ) as tf.Tensor1D;
}

/** The training objective: mean or sum of the per-example losses. */
export function reducedLoss(task: Task, reduction: Reduction, output: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const losses = perExampleLoss(task, output, y);
    return (reduction === 'mean' ? tf.mean(losses) : tf.sum(losses)) as tf.Scalar;
  });
}

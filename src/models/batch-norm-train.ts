/**
 * Batch normalisation in training mode as one kernel with its own gradient kernel.
 *
 * tfjs-layers composes a training-mode BatchNormalization from tf.moments and tf.batchNorm, and
 * autodiff then walks every op of both: at batch 64 a small CNN's two BN layers cost ~60 tensor
 * ops a step, most over the whole activation. Here the forward returns y and the batch
 * statistics in one kernel and the backward is the closed form in one more:
 *
 *   BatchlabBatchNormTrain      inputs x [..., C], gamma [C], beta [C]; attr epsilon
 *                               outputs y (x's shape), mean [C], variance [C] (biased)
 *   BatchlabBatchNormTrainGrad  inputs dy, x, gamma, mean, variance, and dmean, dvariance (the
 *                               gradients reaching the statistics outputs, usually zeros);
 *                               attr epsilon; outputs dx, dgamma, dbeta
 *
 * Backends whose memory JavaScript can read (cpu, wasm) register array kernels for both
 * (src/backend/batch-norm-kernels.ts). Any other backend (webgpu, tensorflow) gets the
 * composed version below on first use: the same math from tensor ops.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';
import { defineKernelPair } from './kernel-pair.ts';
import { BN_TRAIN, BN_TRAIN_GRAD, type BatchNormTrainAttrs } from '../backend/kernel-names.ts';

export { BN_TRAIN, BN_TRAIN_GRAD, type BatchNormTrainAttrs };

/** Every axis but the last (the channel). */
function leadingAxes(rank: number): number[] {
  return Array.from({ length: rank - 1 }, (_, i) => i);
}

function rowCount(shape: readonly number[]): number {
  return shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/** The forward from tensor ops: moments over the leading axes, then tf.batchNorm. */
export function composedBatchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor[] {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, leadingAxes(x.rank));
    return [tf.batchNorm(x, mean, variance, beta, gamma, epsilon), mean, variance];
  });
}

/** The backward from tensor ops (the closed form of batchNormBackward in backend/batch-norm-math.ts). */
export function composedBatchNormTrainGrad(
  dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor1D, mean: tf.Tensor1D, variance: tf.Tensor1D, epsilon: number,
  dmean: tf.Tensor1D | null = null, dvariance: tf.Tensor1D | null = null,
): tf.Tensor[] {
  return tf.tidy(() => {
    const axes = leadingAxes(x.rank);
    const rows = rowCount(x.shape);
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const xc = tf.sub(x, mean);
    const sdy = tf.sum(dy, axes);
    const sdyx = tf.sum(tf.mul(dy, xc), axes);
    const a = tf.mul(gamma, inv);
    let b = tf.div(tf.mul(tf.neg(a), tf.mul(tf.square(inv), sdyx)), rows);
    let d = tf.div(tf.mul(tf.neg(a), sdy), rows);
    if (dvariance) b = tf.add(b, tf.div(tf.mul(dvariance, 2), rows));
    if (dmean) d = tf.add(d, tf.div(dmean, rows));
    const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xc, b)), d);
    return [dx, tf.mul(sdyx, inv), sdy];
  });
}

const runBatchNormTrain = defineKernelPair<BatchNormTrainAttrs>({
  forward: BN_TRAIN,
  backward: BN_TRAIN_GRAD,
  stats: ['mean', 'variance'],
  composedForward: (x, gamma, beta, { epsilon }) => composedBatchNormTrain(x, gamma, beta, epsilon),
  composedBackward: (dy, x, gamma, [mean, variance], [dmean, dvariance], { epsilon }) => composedBatchNormTrainGrad(
    dy, x, gamma, mean as tf.Tensor1D, variance as tf.Tensor1D, epsilon, dmean as tf.Tensor1D | null, dvariance as tf.Tensor1D | null,
  ),
});

/**
 * Normalises float32 `x` [..., C] (rank >= 2) with its own per-channel batch statistics and
 * applies gamma and beta. Returns y and the statistics (mean and biased variance, [C]).
 */
export function batchNormTrain(
  x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const c = x.shape[x.rank - 1];
  if (x.rank < 2 || x.dtype !== 'float32' || gamma.shape[0] !== c || beta.shape[0] !== c) {
    throw new InternalError(
      'batchNormTrain needs float32 x of rank >= 2 and gamma, beta of its channel count: ' +
        `got x ${x.dtype} ${JSON.stringify(x.shape)}, gamma ${JSON.stringify(gamma.shape)}, beta ${JSON.stringify(beta.shape)}`,
    );
  }
  const [y, mean, variance] = runBatchNormTrain(x, gamma, beta, { epsilon });
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

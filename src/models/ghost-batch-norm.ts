/**
 * Ghost batch normalisation (Hoffer et al., 2017) as a serialisable tfjs layer.
 *
 * Training (`kwargs.training === true`): the batch [N, ...spatial, C] is cut, in order, into
 * ghost batches of `ghostBatchSize` examples; each is normalised per channel with its own
 * mean and (biased) variance. When N is not a multiple of ghostBatchSize the last ghost batch
 * is smaller (N mod ghostBatchSize examples) rather than an error, so a short final batch of an
 * epoch still trains; a last ghost batch of one example on dense features has zero variance and
 * normalises to beta. A batch no larger than ghostBatchSize is one ghost batch, which makes the
 * layer equal to BatchNormalization.
 *
 * The moving statistics are updated once per call, with momentum, from the example-weighted
 * average of the ghost means (= the batch mean) and of the ghost variances: inference then uses
 * the within-ghost spread that the following layers were trained on.
 * Inference (any other `training`) uses the moving statistics and changes nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNorm, type BatchNormArgs } from './batch-norm.ts';
import { requirePositiveInteger } from './layer-io.ts';

export interface GhostBatchNormArgs extends BatchNormArgs {
  /** Examples per ghost batch, a positive integer. */
  ghostBatchSize: number;
}

export class GhostBatchNorm extends BatchNorm {
  static override className = 'GhostBatchNorm';
  readonly ghostBatchSize: number;

  constructor(args: GhostBatchNormArgs) {
    super(args);
    requirePositiveInteger(args.ghostBatchSize, 'ghostBatchSize', 'model.ghostBatchSize');
    this.ghostBatchSize = args.ghostBatchSize;
  }

  protected override normalizeTraining(
    x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D,
  ): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
    if (x.shape[0] <= this.ghostBatchSize) return super.normalizeTraining(x, gamma, beta); // one ghost: plain BN
    const { normed, mean, variance } = ghostNormalize(x, this.ghostBatchSize, this.epsilon);
    return { y: tf.add(tf.mul(normed, gamma), beta), mean, variance };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ghostBatchSize: this.ghostBatchSize };
  }
}
tf.serialization.registerClass(GhostBatchNorm);

/**
 * Normalises `x` [N, ...spatial, C] per ghost batch of `size` examples (last one smaller when
 * size does not divide N). Returns the normalised tensor (no affine step) and per-channel [C]
 * example-weighted averages of the ghost means and ghost variances.
 */
export function ghostNormalize(
  x: tf.Tensor,
  size: number,
  epsilon: number,
): { normed: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  return tf.tidy(() => {
    const n = x.shape[0];
    const rest = x.shape.slice(1);
    const ghosts = Math.floor(n / size);
    const fullCount = n <= size ? 0 : ghosts * size;
    const parts: tf.Tensor[] = [];
    let meanSum: tf.Tensor = tf.zeros([rest[rest.length - 1]]);
    let varSum: tf.Tensor = meanSum;
    if (fullCount > 0) {
      // [ghosts, size, ...rest]: one moments call normalises every full ghost batch.
      const full = fullCount === n ? x : tf.slice(x, 0, fullCount);
      const grouped = tf.reshape(full, [ghosts, size, ...rest]);
      const axes = rest.map((_, i) => i + 1);
      const { mean, variance } = tf.moments(grouped, axes, true);
      parts.push(tf.reshape(normalizeWith(grouped, mean, variance, epsilon), [fullCount, ...rest]));
      meanSum = tf.mul(flatSum(mean), size);
      varSum = tf.mul(flatSum(variance), size);
    }
    const restCount = n - fullCount;
    if (restCount > 0) {
      const tail = fullCount === 0 ? x : tf.slice(x, fullCount, restCount);
      const axes = tail.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(tail, axes, true);
      parts.push(normalizeWith(tail, mean, variance, epsilon));
      meanSum = tf.add(meanSum, tf.mul(flatSum(mean), restCount));
      varSum = tf.add(varSum, tf.mul(flatSum(variance), restCount));
    }
    const normed = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    return { normed, mean: tf.div(meanSum, n) as tf.Tensor1D, variance: tf.div(varSum, n) as tf.Tensor1D };
  });
}

function normalizeWith(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
}

/** Sums per-ghost statistics [G, 1, ..., 1, C] (or [1, ..., C]) to [C]. */
function flatSum(stat: tf.Tensor): tf.Tensor {
  const c = stat.shape[stat.shape.length - 1];
  return tf.sum(tf.reshape(stat, [-1, c]), 0);
}

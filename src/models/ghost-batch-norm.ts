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
import { UsageError } from '../errors.ts';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface GhostBatchNormArgs extends LayerArgs {
  /** Examples per ghost batch, a positive integer. */
  ghostBatchSize: number;
  /** Weight of the old moving statistic per update; default 0.9. */
  momentum?: number;
  /** Added to the variance; default 1e-5. */
  epsilon?: number;
}

export class GhostBatchNorm extends tf.layers.Layer {
  static className = 'GhostBatchNorm';
  readonly ghostBatchSize: number;
  readonly momentum: number;
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: GhostBatchNormArgs) {
    super(args);
    if (!Number.isInteger(args.ghostBatchSize) || args.ghostBatchSize < 1) {
      throw new UsageError('ghostBatchSize must be a positive integer', [
        { path: 'model.ghostBatchSize', message: `expected a positive integer, got ${args.ghostBatchSize}` },
      ]);
    }
    this.ghostBatchSize = args.ghostBatchSize;
    this.momentum = args.momentum ?? 0.9;
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (shape.length < 2 || channels == null) {
      throw new UsageError('GhostBatchNorm needs a known channel count on the last axis', [
        { path: 'model.norm', message: `input shape ${JSON.stringify(shape)} has no channel axis` },
      ]);
    }
    const c = [channels];
    this.gamma = this.addWeight('gamma', c, 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', c, 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', c, 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', c, 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.gamma.read();
      const beta = this.beta.read();
      if (kwargs?.training !== true) {
        return tf.batchNorm(x, this.movingMean.read(), this.movingVariance.read(), beta, gamma, this.epsilon);
      }
      const { normed, mean, variance } = ghostNormalize(x, this.ghostBatchSize, this.epsilon);
      this.updateMoving(this.movingMean, mean);
      this.updateMoving(this.movingVariance, variance);
      return tf.add(tf.mul(normed, gamma), beta);
    });
  }

  private updateMoving(variable: tf.LayerVariable, value: tf.Tensor): void {
    tf.tidy(() => {
      const old = variable.read();
      variable.write(tf.add(tf.mul(old, this.momentum), tf.mul(value, 1 - this.momentum)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ghostBatchSize: this.ghostBatchSize,
      momentum: this.momentum,
      epsilon: this.epsilon,
    };
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

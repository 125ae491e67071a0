/**
 * Batch normalisation over the last (channel) axis as a serialisable tfjs layer, with the same
 * behaviour as tf.layers.batchNormalization (center and scale on, axis -1): training calls
 * (`kwargs.training === true`) normalise with the batch's mean and biased variance and move
 * the moving statistics toward them by `momentum`; any other call uses the moving statistics
 * and changes nothing.
 *
 * The difference is speed: training runs the fused batchNormTrain kernel pair (one forward,
 * one closed-form backward) instead of the ~30 ops tfjs-layers composes per layer and step; a
 * backend that registers BN_MOVING (webgpu) updates both moving statistics in one kernel, the
 * same float32 operations as updateMoving.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain } from './batch-norm-train.ts';
import { BN_MOVING, type BatchNormMovingAttrs } from '../backend/kernel-names.ts';
import { ChannelNorm, type ChannelNormArgs } from './channel-norm.ts';
import { singleInput } from './layer-io.ts';

export interface BatchNormArgs extends ChannelNormArgs {
  /** Weight of the old moving statistic per update; default 0.9. */
  momentum?: number;
}

export class BatchNorm extends ChannelNorm {
  static className = 'BatchlabBatchNorm';
  readonly momentum: number;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: BatchNormArgs) {
    super(args);
    this.momentum = args.momentum ?? 0.9;
  }

  protected override addStatistics(channels: number): void {
    const c = [channels];
    this.movingMean = this.addWeight('moving_mean', c, 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', c, 'float32', tf.initializers.ones(), undefined, false);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs);
      const gamma = this.gamma.read() as tf.Tensor1D;
      const beta = this.beta.read() as tf.Tensor1D;
      if (kwargs?.training !== true) {
        return tf.batchNorm(x, this.movingMean.read(), this.movingVariance.read(), beta, gamma, this.epsilon);
      }
      const { y, mean, variance } = this.normalizeTraining(x, gamma, beta);
      if (tf.getKernel(BN_MOVING, tf.getBackend()) != null) {
        const attrs: BatchNormMovingAttrs = { momentum: this.momentum };
        const [m, v] = tf.engine().runKernel(BN_MOVING, {
          movingMean: this.movingMean.read(), movingVariance: this.movingVariance.read(), mean, variance,
        }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        this.movingMean.write(m!);
        this.movingVariance.write(v!);
      } else {
        this.updateMoving(this.movingMean, mean);
        this.updateMoving(this.movingVariance, variance);
      }
      return y;
    });
  }

  /** y for a training call and the statistics the moving averages follow. */
  protected normalizeTraining(
    x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D,
  ): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
    return batchNormTrain(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), gamma, beta, this.epsilon);
  }

  private updateMoving(variable: tf.LayerVariable, value: tf.Tensor): void {
    tf.tidy(() => {
      const old = variable.read();
      variable.write(tf.add(tf.mul(old, this.momentum), tf.mul(value, 1 - this.momentum)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(BatchNorm);

/**
 * GroupNorm (Wu & He, 2018) as a serialisable tfjs layer. Channels are the last axis; every
 * other non-batch axis is spatial. Each example's channels are split into `groups` contiguous
 * groups, normalised over (spatial, channels-in-group), then scaled and shifted per channel.
 * Rank 2 [N, C] is dense features with spatial size 1; rank 4 [N, H, W, C] is NHWC.
 * With groups = 1 this is LayerNorm over all non-batch axes with per-channel gamma/beta.
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.ts';
import { ChannelNorm, type ChannelNormArgs } from './channel-norm.ts';
import { groupNormFused } from './group-norm-kernel.ts';
import { requirePositiveInteger, singleInput } from './layer-io.ts';

export interface GroupNormArgs extends ChannelNormArgs {
  /** Number of channel groups; must divide the channel count (last axis). */
  groups: number;
}

export class GroupNorm extends ChannelNorm {
  static className = 'GroupNorm';
  readonly groups: number;

  constructor(args: GroupNormArgs) {
    super(args);
    requirePositiveInteger(args.groups, 'GroupNorm groups', 'model.groups');
    this.groups = args.groups;
  }

  protected override checkChannels(channels: number): void {
    if (channels % this.groups !== 0) {
      throw new UsageError(`GroupNorm groups must divide the channel count`, [
        {
          path: 'model.groups',
          message: `expected a divisor of ${channels} channels (layer ${this.name}), got ${this.groups}`,
        },
      ]);
    }
  }

  /**
   * The fused GroupNorm kernel pair (group-norm-kernel.ts): one kernel forward, one backward.
   * No running statistics, so training and inference compute the same thing.
   */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const input = singleInput(inputs);
      const x = input.dtype === 'float32' ? input : tf.cast(input, 'float32');
      if (x.size === 0) return tf.add(tf.mul(groupNormalize(x, this.groups, this.epsilon), this.gamma.read()), this.beta.read());
      return groupNormFused(x, this.gamma.read() as tf.Tensor1D, this.beta.read() as tf.Tensor1D, this.groups, this.epsilon).y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(GroupNorm);

/**
 * Normalises `x` [N, ...spatial, C] within each example and channel group (no affine step),
 * composed from tensor ops (the reference the fused kernels are checked against).
 * Reshapes to [N, ...spatial, G, C/G] so one `moments` call covers every group.
 */
export function groupNormalize(x: tf.Tensor, groups: number, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const shape = x.shape;
    const channels = shape[shape.length - 1];
    const grouped = tf.reshape(x, [...shape.slice(0, -1), groups, channels / groups]);
    const spatialAxes = shape.slice(1, -1).map((_, i) => i + 1);
    const axes = [...spatialAxes, grouped.rank - 1];
    const { mean, variance } = tf.moments(grouped, axes, true);
    const normed = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.reshape(normed, shape);
  });
}

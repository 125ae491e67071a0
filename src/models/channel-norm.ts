/**
 * The base of the per-channel normalisation layers (BatchNorm, GroupNorm): channels are the last
 * axis; gamma (ones) and beta (zeros) hold one value per channel; the output has the input's
 * shape.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';
import { singleShape, type LayerArgs } from './layer-io.ts';

export interface ChannelNormArgs extends LayerArgs {
  /** Added to the variance; default 1e-5. */
  epsilon?: number;
}

export abstract class ChannelNorm extends tf.layers.Layer {
  readonly epsilon: number;
  protected gamma!: tf.LayerVariable;
  protected beta!: tf.LayerVariable;

  constructor(args: ChannelNormArgs) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape);
    const channels = shape[shape.length - 1];
    if (shape.length < 2 || channels == null) {
      throw new InternalError(`${this.getClassName()} needs a known channel count on the last axis, got input shape ${JSON.stringify(shape)}`);
    }
    this.checkChannels(channels);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.addStatistics(channels);
    this.built = true;
  }

  /** Refuses a channel count the layer cannot normalise; called before any weight is added. */
  protected checkChannels(_channels: number): void {}

  /** Adds the weights a layer keeps after gamma and beta (none by default). */
  protected addStatistics(_channels: number): void {}

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}

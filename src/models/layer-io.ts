/** What batchlab's one-input tfjs layers share: their constructor arguments, input and checks. */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.ts';

/** The arguments every tfjs layer takes (name, trainable, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** The input shape of a one-input layer (tfjs may hand it as a list of one). */
export function singleShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}

/** The input tensor of a one-input layer (tfjs may hand it as a list of one). */
export function singleInput<T extends tf.Tensor = tf.Tensor>(inputs: tf.Tensor | tf.Tensor[]): T {
  return (Array.isArray(inputs) ? inputs[0] : inputs) as T;
}

/** Throws a UsageError at `path` unless `value` is a positive integer; `what` names it in the message. */
export function requirePositiveInteger(value: number, what: string, path: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${what} must be a positive integer`, [
      { path, message: `expected a positive integer, got ${value}` },
    ]);
  }
}

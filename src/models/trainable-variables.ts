/** The tf.Variables behind a layer's or a model's trainable weights, in its own order (the loop's and its optimizer's). */
import type * as tf from '@tensorflow/tfjs';

export function trainableVariables(owner: tf.layers.Layer | tf.LayersModel): tf.Variable[] {
  return owner.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

/**
 * Test support for layers checked against a tfjs-layers reference with the same weights: one
 * training call, one inference call, and the gradients of sum(w * y) with respect to every
 * trainable weight and to the input.
 */
import * as tf from '@tensorflow/tfjs';

function values(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync());
}

/** [y (training), y (inference), ...weight gradients, input gradient]; disposes what it makes. */
export function traceLayer(layer: tf.layers.Layer, x: tf.Tensor, weights: tf.Tensor[]): Float32Array[] {
  const input = tf.input({ shape: x.shape.slice(1) });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  model.setWeights(weights);
  const out: Float32Array[] = [];
  tf.tidy(() => {
    const yTrain = model.apply(x, { training: true }) as tf.Tensor;
    const w = tf.randomUniform(yTrain.shape, -1, 1, 'float32', 7);
    const f = (a: tf.Tensor) => tf.sum(tf.mul(model.apply(a, { training: true }) as tf.Tensor, w));
    const vars = model.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
    const { grads } = tf.variableGrads(() => f(x) as tf.Scalar, vars);
    out.push(values(yTrain), values(model.predict(x) as tf.Tensor), ...vars.map((v) => values(grads[v.name])), values(tf.grad(f)(x)));
  });
  model.dispose();
  return out;
}

/** predict() of a model and of its toJSON / modelFromJSON copy (same weights), and the copy. */
export async function roundTrip(model: tf.LayersModel, x: tf.Tensor): Promise<{ restored: tf.LayersModel; before: Float32Array; after: Float32Array }> {
  const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as Parameters<typeof tf.models.modelFromJSON>[0]);
  restored.setWeights(model.getWeights());
  const [a, b] = [model.predict(x) as tf.Tensor, restored.predict(x) as tf.Tensor];
  const result = { restored, before: values(a), after: values(b) };
  tf.dispose([a, b]);
  return result;
}

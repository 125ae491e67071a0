/**
 * Recognises batchlab's MLP as a stack of dense layers, for the direct dense step
 * (direct-dense-step.ts): exactly the layers buildMlp makes without norm or dropout, with ReLU.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { InputDense } from '../models/input-dense.ts';
import { trainableVariables } from '../models/trainable-variables.ts';

/** One dense layer: y = x W + b, followed by a ReLU unless it is the last (the logits). */
export interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
  inputs: number;
  units: number;
}

type AnyLayer = tf.layers.Layer;

/** A float32 [inputs, units] kernel and [units] bias, the layer's only weights. */
function denseOf(layer: AnyLayer): DenseLayer | null {
  const weights = layer.weights;
  const vars = trainableVariables(layer);
  if (weights.length !== 2 || vars.length !== 2 || !layer.trainable) return null;
  const [kernel, bias] = vars as [tf.Variable, tf.Variable];
  if (kernel.rank !== 2 || bias.rank !== 1 || kernel.dtype !== 'float32' || bias.dtype !== 'float32' || bias.shape[0] !== kernel.shape[1]) return null;
  return { kernel, bias, inputs: kernel.shape[0], units: kernel.shape[1] };
}

const isRelu = (layer: AnyLayer): boolean => layer.getClassName() === 'Activation' && layer.getConfig()['activation'] === 'relu';
const isLinearDense = (layer: AnyLayer): boolean =>
  layer.getClassName() === 'Dense' && layer.getConfig()['activation'] === 'linear' && layer.getConfig()['useBias'] === true;

/** What denseStackOf found for each model it was asked about (a model's layers never change). */
const recognised = new WeakMap<tf.LayersModel, DenseLayer[] | null>();

/**
 * The dense layers of `model` in order when its layers are exactly InputLayer, Flatten (optional),
 * InputDense (with bias), ReLU, then any number of [Dense (linear, bias), ReLU], then Dense
 * (linear, bias), and its trainable variables are their weights in that order (kernel, bias per
 * layer); else null. Recognised once per model.
 */
export function denseStackOf(model: tf.LayersModel): DenseLayer[] | null {
  if (!recognised.has(model)) recognised.set(model, recognise(model, trainableVariables(model)));
  return recognised.get(model)!;
}

/** A float32 tensor's own array on the current (cpu-family) backend, or null (another dtype or backend). */
export function hostArrayOf(t: tf.Tensor): Float32Array | null {
  const v = (tf.backend() as MathBackendCPU).data.get(t.dataId)?.values;
  return v instanceof Float32Array ? v : null;
}

function recognise(model: tf.LayersModel, vars: readonly tf.Variable[]): DenseLayer[] | null {
  const layers = model.layers.slice();
  if (layers.shift()?.getClassName() !== 'InputLayer') return null;
  if (layers[0]?.getClassName() === 'Flatten') layers.shift();
  const first = layers.shift();
  if (!(first instanceof InputDense) || !first.useBias || layers.length < 2) return null;
  const stack: DenseLayer[] = [];
  const firstDense = denseOf(first);
  if (firstDense === null) return null;
  stack.push(firstDense);
  while (layers.length > 0) {
    const relu = layers.shift()!;
    const dense = layers.shift();
    if (!isRelu(relu) || dense === undefined || !isLinearDense(dense)) return null;
    const layer = denseOf(dense);
    if (layer === null || layer.inputs !== stack.at(-1)!.units) return null;
    stack.push(layer);
  }
  const own = stack.flatMap((l) => [l.kernel, l.bias]);
  if (own.length !== vars.length || own.some((v, i) => v !== vars[i])) return null;
  return stack;
}

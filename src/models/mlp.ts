/** Multilayer perceptron: flatten -> [dense -> norm -> activation -> dropout] per hidden width -> dense. */
import * as tf from '@tensorflow/tfjs';
import { InputDense } from './input-dense.ts';
import { makeNorm, wantsBias } from './norm-layer.ts';
import { makeSeeder } from './seeds.ts';
import type { MlpConfig } from './types.ts';

/**
 * `inputShape` is one example's shape (any rank, flattened first); the output is
 * [batch, numOutputs] linear logits. Same `seed` gives the same initial weights.
 */
export function buildMlp(cfg: MlpConfig, inputShape: number[], numOutputs: number, seed: number): tf.LayersModel {
  const seeds = makeSeeder(seed);
  const input = tf.input({ shape: inputShape, name: 'input' });
  // tf.layers.flatten rejects rank-2 batches ([N, F]), so vectors go straight in.
  let x = inputShape.length === 1 ? input : (tf.layers.flatten({ name: 'flatten' }).apply(input) as tf.SymbolicTensor);
  cfg.hidden.forEach((units, i) => {
    const args = { units, useBias: wantsBias(cfg), kernelInitializer: seeds.he(), name: `dense${i + 1}` };
    // The first dense layer reads the input: InputDense skips its unused gradient.
    const dense = i === 0 ? new InputDense(args) : tf.layers.dense(args);
    x = dense.apply(x) as tf.SymbolicTensor;
    const norm = makeNorm(cfg, 2, `norm${i + 1}`);
    if (norm) x = norm.apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: cfg.activation, name: `act${i + 1}` }).apply(x) as tf.SymbolicTensor;
    // Unseeded on purpose: a fixed dropout seed would repeat one mask every step.
    if (cfg.dropout > 0) x = tf.layers.dropout({ rate: cfg.dropout, name: `dropout${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  const out = tf.layers
    .dense({ units: numOutputs, kernelInitializer: seeds.glorot(), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'mlp' });
}

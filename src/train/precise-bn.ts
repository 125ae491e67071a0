/**
 * "Precise BN" (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm"): evaluate with BatchNorm
 * statistics recomputed over many training examples with the final weights, instead of the
 * moving averages collected during training. Comparing the two separates noisy training (both
 * bad) from train/test inconsistency of the statistics (only the moving-average result bad).
 *
 * The statistics are population statistics: per channel, the mean and the (biased) variance of
 * the layer's input over `examples` training examples. Layers are recomputed in order, each
 * with the earlier layers already using their recomputed statistics, as at evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import { shuffled } from '../core/prng.ts';
import { BatchNorm } from '../models/batch-norm.ts';
import { evaluate } from './evaluate.ts';
import type { FinalMetrics, TrainData } from './types.ts';

/** The model's BatchNorm layers (GhostBatchNorm included), in the order the model applies them. */
export function batchNormLayers(model: tf.LayersModel): BatchNorm[] {
  return model.layers.filter((l): l is BatchNorm => l instanceof BatchNorm);
}

/**
 * Runs `fn` with every BatchNorm layer's moving statistics replaced by population statistics over
 * `examples` training examples (a seeded random subset of `trainX`, all of it when smaller),
 * then restores the moving statistics, also when `fn` throws. Inputs go through the model in
 * chunks of `chunk` examples in inference mode. A model without BatchNorm runs `fn` unchanged.
 */
export async function withPreciseBn<T>(
  model: tf.LayersModel, trainX: tf.Tensor, examples: number, chunk: number, seed: number, fn: () => Promise<T>,
): Promise<T> {
  const layers = batchNormLayers(model);
  if (layers.length === 0) return fn();
  const saved = layers.map((l) => l.getWeights().map((w) => w.clone()));
  const n = Math.min(examples, trainX.shape[0]);
  const idx = tf.tensor1d(Array.from(shuffled(trainX.shape[0], seed).subarray(0, n)), 'int32');
  const subset = tf.gather(trainX, idx);
  idx.dispose();
  try {
    for (const layer of layers) {
      const { mean, variance } = populationStatistics(model, layer, subset, chunk);
      const [gamma, beta] = layer.getWeights();
      layer.setWeights([gamma, beta, mean, variance]); // copies the values into the layer's variables
      mean.dispose();
      variance.dispose();
    }
    return await fn();
  } finally {
    subset.dispose();
    layers.forEach((l, i) => {
      l.setWeights(saved[i]);
      saved[i].forEach((w) => w.dispose());
    });
  }
}

/** Train-subset and test metrics with BatchNorm population statistics over `examples` train examples (train.preciseBn). */
export async function evaluatePreciseBn(
  model: tf.LayersModel, data: TrainData, examples: number, chunk: number, seed: number,
): Promise<Partial<FinalMetrics>> {
  return withPreciseBn(model, data.trainX, examples, chunk, seed, async () => {
    const tr = await evaluate(model, data.trainEvalX, data.trainEvalY, data.task, chunk);
    const te = await evaluate(model, data.testX, data.testY, data.task, chunk);
    return { precise_bn_train_acc: tr.acc, precise_bn_test_loss: te.loss, precise_bn_test_acc: te.acc };
  });
}

/**
 * Per-channel mean and biased variance of `layer`'s input over `x`, the model in inference mode.
 * Two passes (mean, then squared deviations) so the variance does not cancel in float32.
 */
function populationStatistics(
  model: tf.LayersModel, layer: tf.layers.Layer, x: tf.Tensor, chunk: number,
): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  // Shares the model's layers and weights: never disposed (that would dispose the model's weights).
  const probe = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
  const channelsOf = (start: number, size: number) => {
    const h = probe.apply(tf.slice(x, start, size), { training: false }) as tf.Tensor;
    return tf.reshape(h, [-1, h.shape[h.shape.length - 1]!]);
  };
  const sumOver = (perChunk: (flat: tf.Tensor) => tf.Tensor): { total: tf.Tensor; rows: number } => {
    let total: tf.Tensor | null = null;
    let rows = 0;
    for (let start = 0; start < x.shape[0]; start += chunk) {
      const size = Math.min(chunk, x.shape[0] - start);
      const part = tf.tidy(() => {
        const flat = channelsOf(start, size);
        rows += flat.shape[0];
        return tf.sum(perChunk(flat), 0);
      });
      total = accumulate(total, part);
    }
    return { total: total!, rows };
  };
  const sum = sumOver((flat) => flat);
  const mean = tf.div(sum.total, sum.rows) as tf.Tensor1D;
  sum.total.dispose();
  const sq = sumOver((flat) => tf.square(tf.sub(flat, mean)));
  const variance = tf.div(sq.total, sq.rows) as tf.Tensor1D;
  sq.total.dispose();
  return { mean, variance };
}

function accumulate(total: tf.Tensor | null, part: tf.Tensor): tf.Tensor {
  if (total === null) return part;
  const next = tf.add(total, part);
  total.dispose();
  part.dispose();
  return next;
}

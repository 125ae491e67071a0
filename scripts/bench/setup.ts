/** Shared setup of the benchmark: backends, datasets, models and resolved run configs. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../src/backend/index.ts';
import type { ModelSpec, RunConfig } from '../../src/config/schema.ts';
import { validateSpec } from '../../src/config/validate.ts';
import { loadDataset, type Dataset } from '../../src/data/index.ts';
import { buildModel } from '../../src/models/index.ts';
import { withTrainEval } from '../../src/runner/train-data.ts';
import type { TrainData } from '../../src/train/types.ts';

export type BenchBackend = 'cpu' | 'wasm' | 'native';
export type BenchModel = 'mlp' | 'cnn' | 'tiny';

/** The benchmark's models, as batchlab specs (the PyTorch peer mirrors them). */
export const MODEL_SPECS: Record<BenchModel, ModelSpec> = {
  mlp: specOf({ name: 'mlp', hidden: [256, 128] }),
  cnn: specOf({ name: 'cnn', channels: [16, 32], norm: 'batch' }),
  tiny: specOf({ name: 'mlp', hidden: [32] }),
};

export const MODEL_LABELS: Record<BenchModel, string> = {
  mlp: 'MLP 784-256-128-10',
  cnn: 'CNN 16-32 + BN',
  tiny: 'MLP 20-32-10',
};

function specOf(model: unknown): ModelSpec {
  return resolve({ model, train: { steps: 1 } }).model;
}

/** validateSpec with defaults filled; throws on a bad benchmark setting (a bug in this script). */
export function resolve(input: Record<string, unknown>): RunConfig {
  const v = validateSpec({ backend: 'cpu', ...input });
  if (!v.ok) throw new Error(`bench spec invalid: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return v.spec;
}

/**
 * Plain SGD (no momentum), mean cross-entropy: the update model.fit and torch.optim.SGD also do;
 * `optimizer` another (the optimizer section).
 */
export function trainConfig(batchSize: number, steps: number, extra: Record<string, unknown> = {}, optimizer: Record<string, unknown> = { name: 'sgd' }) {
  return resolve({
    optimizer,
    train: { steps, batchSize, lr: 0.01, evalEvery: 0, logEvery: 1000, ...extra },
  });
}

export async function useBackend(name: BenchBackend): Promise<string> {
  const active = await initBackend(name);
  return active.device;
}

/** mnist (8,000 train digits; a 64-example test set keeps the loop's evaluations negligible) or blobs for `tiny`. */
export async function loadBenchData(model: BenchModel): Promise<{ dataset: Dataset; data: TrainData }> {
  const dataset = model === 'tiny'
    ? await loadDataset({ name: 'blobs', classes: 10, dim: 20, spread: 1, trainSize: 4096, testSize: 64, seed: 0 })
    : await loadDataset({ name: 'mnist', trainSize: 8000, testSize: 64, seed: 0 });
  return { dataset, data: withTrainEval(dataset) };
}

export function buildBenchModel(model: BenchModel, dataset: Dataset, seed = 1): tf.LayersModel {
  return buildModel(MODEL_SPECS[model], dataset.inputShape, dataset.numOutputs, seed);
}

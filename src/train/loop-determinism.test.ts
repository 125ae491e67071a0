/**
 * Reproducibility: on cpu and on wasm (with batchlab's training kernels), two runs with the same
 * seed give bit-identical curve rows (wall time aside) and weights; other seeds give other runs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { registerWasmTrainingKernels } from '../backend/wasm-kernels/index.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { loadDataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { disposeTrainEval, withTrainEval } from '../runner/train-data.ts';
import { trainModel } from './loop.ts';
import type { CurveRow } from './types.ts';

function configOf(seed: number): RunConfig {
  const v = validateSpec({
    data: { name: 'blobs', classes: 4, dim: 6, trainSize: 60, testSize: 20 },
    model: { name: 'mlp', hidden: [16, 8], norm: 'batch' },
    optimizer: { name: 'sgd', momentum: 0.9 },
    train: { epochs: 2, batchSize: 8, accumulation: 2, lr: 0.1, seed, logEvery: 2, evalEvery: 5 },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

interface Outcome {
  rows: Omit<CurveRow, 'wall_ms'>[];
  weights: Float32Array[];
}

/** One run on the current backend: data, model and training all from `seed`. */
async function runOnce(seed: number): Promise<Outcome> {
  const config = configOf(seed);
  const dataset = await loadDataset(config.data as Parameters<typeof loadDataset>[0]);
  const data = withTrainEval(dataset);
  const model = buildModel(config.model as ModelConfig, dataset.inputShape, dataset.numOutputs, seed);
  const rows: Outcome['rows'] = [];
  try {
    const result = await trainModel({
      model, data, config,
      observers: [{ onRow: ({ wall_ms: _, ...r }) => { rows.push(r); } }],
    });
    expect(result.status).toBe('completed');
    return { rows, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) };
  } finally {
    model.dispose();
    disposeTrainEval(data);
    dataset.dispose();
  }
}

/** Bit patterns, so -0 vs 0 and NaN payloads count as differences too. */
const bits = (ws: Float32Array[]) => ws.map((w) => Array.from(new Uint32Array(w.buffer, w.byteOffset, w.length)));

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`determinism on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      if (backend === 'wasm') registerWasmTrainingKernels();
    });
    useLeakCheck();

    it('the same seed gives bit-identical rows and weights; another seed does not', async () => {
      expect(tf.getBackend()).toBe(backend);
      const a = await runOnce(4);
      const b = await runOnce(4);
      const c = await runOnce(5);
      expect(a.rows.length).toBeGreaterThan(5);
      expect(b.rows).toEqual(a.rows);
      expect(bits(b.weights)).toEqual(bits(a.weights));
      expect(c.rows.map((r) => r.train_loss)).not.toEqual(a.rows.map((r) => r.train_loss));
      expect(bits(c.weights)).not.toEqual(bits(a.weights));
    });
  });
}

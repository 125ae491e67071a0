/**
 * Gradient statistics inside the loop: measured rows carry the columns, and measuring does not
 * change the training trajectory (weights bit-identical to a run that does not measure).
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { validateSpec } from '../config/validate.ts';
import { loadDataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { disposeTrainEval, withTrainEval } from '../runner/train-data.ts';
import { trainModel } from './loop.ts';
import type { CurveRow } from './types.ts';

async function run(measure: boolean) {
  await tf.setBackend('cpu');
  const v = validateSpec({
    data: { name: 'blobs', classes: 3, dim: 6, trainSize: 256, testSize: 32 },
    model: { name: 'mlp', hidden: [16], norm: 'batch', dropout: 0.2 },
    optimizer: { name: 'sgd', momentum: 0.9 },
    train: {
      steps: 24, batchSize: 16, lr: 0.1, seed: 3, logEvery: 4,
      ...(measure ? { noiseScale: { every: 8, smallBatch: 8, bigBatch: 64 }, gradVariance: { every: 12, samples: 3, referenceSize: 128 } } : {}),
    },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const dataset = await loadDataset(v.spec.data as Parameters<typeof loadDataset>[0]);
  const data = withTrainEval(dataset);
  seedrandom('3', { global: true }); // dropout masks, as a run seeds them
  const model = buildModel(v.spec.model as ModelConfig, dataset.inputShape, dataset.numOutputs, 3);
  const rows: CurveRow[] = [];
  await trainModel({ model, data, config: v.spec, observers: [{ onRow: (r) => { rows.push(r); } }] });
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  model.dispose();
  disposeTrainEval(data);
  dataset.dispose();
  return { rows, weights };
}

describe('gradient statistics in the training loop', () => {
  useLeakCheck();
  it('adds the columns on measured steps only and leaves the trajectory unchanged', async () => {
    const plain = await run(false);
    const measured = await run(true);
    expect(measured.weights).toEqual(plain.weights);
    const noiseRows = measured.rows.filter((r) => r.noise_scale != null).map((r) => r.step);
    expect(noiseRows).toEqual([0, 8, 16, 24]);
    const varRows = measured.rows.filter((r) => r.grad_var != null).map((r) => r.step);
    expect(varRows).toEqual([0, 12, 24]);
    for (const r of measured.rows) {
      expect(r).toHaveProperty('grad_norm_sq');
      if (r.noise_scale != null) expect(r.trace_sigma! / r.grad_norm_sq!).toBeCloseTo(r.noise_scale, 6);
    }
    expect(plain.rows.every((r) => !('grad_norm_sq' in r))).toBe(true);
  });
});

/**
 * The validation split in the loop: every evaluated row carries val_loss and val_acc, the final
 * metrics are the last evaluation's (checked against evaluate() on the same weights), the best
 * validation accuracy is the maximum over rows, and a run without a split has no such columns.
 * train.evalLogSpaced adds held-out evaluations (test and validation) at its log-spaced points.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { validateSpec } from '../config/validate.ts';
import { loadDataset, type Dataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { disposeTrainEval, withTrainEval } from '../runner/train-data.ts';
import { evaluate } from './evaluate.ts';
import { trainModel } from './loop.ts';
import type { CurveRow, TrainData } from './types.ts';

describe('the validation split in the training loop', () => {
  useLeakCheck('all');
  let dataset: Dataset;
  let data: TrainData;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dataset = await loadDataset({ name: 'blobs', classes: 3, dim: 5, spread: 1, trainSize: 120, testSize: 30, seed: 3, validationSize: 30 });
    data = withTrainEval(dataset);
  });
  afterAll(() => {
    disposeTrainEval(data);
    dataset.dispose();
  });

  const configOf = (train: Record<string, unknown>) => {
    const v = validateSpec({ data: { name: 'blobs' }, model: { name: 'mlp', hidden: [8] }, train });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    return v.spec;
  };

  it('evaluates the validation split with every evaluated row, and reports it as final', async () => {
    const config = configOf({ epochs: 3, batchSize: 10, lr: 0.1, evalEvery: 5 });
    const model = buildModel(config.model as ModelConfig, [5], 3, 1);
    const rows: CurveRow[] = [];
    try {
      const result = await trainModel({ model, data, config, observers: [{ onRow: (r) => { rows.push(r); } }] });
      expect(data.trainX.shape[0]).toBe(90);
      for (const r of rows) {
        expect(r).toHaveProperty('val_loss');
        expect(r.val_loss === null).toBe(r.test_loss === null);
        expect(r.val_acc === null).toBe(r.test_acc === null);
      }
      const evaluatedRows = rows.filter((r) => r.val_acc !== null);
      expect(evaluatedRows.length).toBeGreaterThan(3);
      const direct = await evaluate(model, data.valX!, data.valY!, 'classification', 1000);
      expect(result.final.val_loss).toBeCloseTo(direct.loss!, 6);
      expect(result.final.val_acc).toBe(direct.acc);
      expect(result.final.best_val_acc).toBe(Math.max(...evaluatedRows.map((r) => r.val_acc!)));
    } finally {
      model.dispose();
    }
  });

  it('evaluates test and validation at the log-spaced points of train.evalLogSpaced, the train subset at epoch ends', async () => {
    // 90 train examples at batch 10: 9 steps an epoch, 2 epochs. Points 20 x 2^(k/2): 20, 28, 40, 57, 80, 113, 160 examples.
    const config = configOf({ epochs: 2, batchSize: 10, lr: 0.1, logEvery: 1, evalLogSpaced: { perDoubling: 2, fromExamples: 20 } });
    const model = buildModel(config.model as ModelConfig, [5], 3, 1);
    const rows: CurveRow[] = [];
    try {
      const result = await trainModel({ model, data, config, observers: [{ onRow: (r) => { rows.push(r); } }] });
      const heldOut = rows.filter((r) => r.test_acc !== null).map((r) => r.step);
      const withTrain = rows.filter((r) => r.train_eval_acc !== null).map((r) => r.step);
      expect(heldOut).toEqual([0, 2, 3, 4, 6, 8, 9, 12, 16, 18]);
      expect(withTrain).toEqual([0, 9, 18]);
      for (const r of rows) expect(r.val_acc === null).toBe(r.test_acc === null);
      // The final train-subset metrics are the last full evaluation's (the closing one).
      const direct = await evaluate(model, data.trainEvalX, data.trainEvalY, 'classification', 1000);
      expect(result.final.train_acc).toBe(direct.acc);
      expect(result.final.best_test_acc).toBe(Math.max(...rows.filter((r) => r.test_acc !== null).map((r) => r.test_acc!)));
    } finally {
      model.dispose();
    }
  });

  it('a run on data without a split has no validation columns or metrics', async () => {
    const plain = await loadDataset({ name: 'blobs', classes: 3, dim: 5, spread: 1, trainSize: 60, testSize: 30, seed: 3 });
    const d = withTrainEval(plain);
    const config = configOf({ epochs: 1, batchSize: 10, lr: 0.1 });
    const model = buildModel(config.model as ModelConfig, [5], 3, 1);
    const rows: CurveRow[] = [];
    try {
      const result = await trainModel({ model, data: d, config, observers: [{ onRow: (r) => { rows.push(r); } }] });
      expect(rows.every((r) => !('val_loss' in r))).toBe(true);
      expect(result.final.val_acc).toBeUndefined();
    } finally {
      model.dispose();
      disposeTrainEval(d);
      plain.dispose();
    }
  });
});

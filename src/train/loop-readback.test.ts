/**
 * Losses are read back in groups, never per step (so GPU backends do not stall on each step), yet
 * every step's loss reaches the observers; a diverging run still ends within MAX_PENDING_LOSSES
 * steps of the step whose loss diverged.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useBlobsTrainData } from '../../test/support/blobs-train-data.ts';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { trainModel } from './loop.ts';
import { MAX_PENDING_LOSSES } from './pending-losses.ts';
import type { CurveRow, StepLossRow, TrainData, TrainResult } from './types.ts';

let data: TrainData;

useLeakCheck('all');
// 1,400 examples at B = 2: an epoch is 700 steps, so no epoch end forces a row in these runs.
useBlobsTrainData({ classes: 3, dim: 5, spread: 1, trainSize: 1400, testSize: 16, seed: 1 }, (d) => { data = d; });
useLeakCheck();
afterEach(() => { vi.restoreAllMocks(); });

function configOf(train: Record<string, unknown>): RunConfig {
  const v = validateSpec({ data: { name: 'blobs' }, model: { name: 'mlp', hidden: [8] }, train: { batchSize: 2, evalEvery: 0, ...train } });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

async function run(train: Record<string, unknown>): Promise<{ result: TrainResult; rows: CurveRow[]; steps: StepLossRow[] }> {
  const config = configOf(train);
  const model = buildModel(config.model as ModelConfig, data.trainX.shape.slice(1), data.trainY.shape[1]!, 1);
  const rows: CurveRow[] = [];
  const steps: StepLossRow[] = [];
  try {
    const result = await trainModel({
      model, data, config, observers: [{ onRow: (r) => { rows.push(r); }, onStepLosses: (r) => { steps.push(...r); } }],
    });
    return { result, rows, steps };
  } finally {
    model.dispose();
  }
}

describe('reading losses back', () => {
  it('reads the losses back once per MAX_PENDING_LOSSES steps, not per step', async () => {
    const steps = 10 * MAX_PENDING_LOSSES;
    const data = vi.spyOn(tf.Tensor.prototype, 'data');
    const dataSync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const arraySync = vi.spyOn(tf.Tensor.prototype, 'arraySync');
    // Rows only at the start and the end: only the bound on pending losses makes the loop read them.
    const { result, rows, steps: stepLosses } = await run({ steps, lr: 0.01, logEvery: 100_000 });
    expect(result).toMatchObject({ status: 'completed', steps });
    // One read per group of MAX_PENDING_LOSSES steps, plus two per evaluation (train subset and
    // test set) at step 0 and at the end.
    expect(data).toHaveBeenCalledTimes(steps / MAX_PENDING_LOSSES + 2 + 2);
    expect(dataSync).not.toHaveBeenCalled();
    expect(arraySync).not.toHaveBeenCalled();
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 11 }, (_, i) => i * MAX_PENDING_LOSSES));
    rows.slice(1).forEach((r) => expect(Number.isFinite(r.train_loss)).toBe(true));
    // Every step's loss came with those reads: one row a step, in order.
    expect(stepLosses.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(stepLosses.map((r) => r.examples_seen)).toEqual(Array.from({ length: steps }, (_, i) => 2 * (i + 1)));
  });

  it('gives each step the loss a run reading every step back sees, and rows the mean of their steps', async () => {
    const train = { steps: 3 * MAX_PENDING_LOSSES, lr: 0.05 };
    const grouped = await run({ ...train, logEvery: 100_000 });
    const every = await run({ ...train, logEvery: 1 });
    expect(grouped.steps).toEqual(every.steps);
    expect(every.rows.slice(1).map((r) => r.train_loss)).toEqual(every.steps.map((r) => r.train_loss));
    const [, first] = grouped.rows;
    const mean = grouped.steps.slice(0, MAX_PENDING_LOSSES).reduce((a, r) => a + r.train_loss, 0) / MAX_PENDING_LOSSES;
    expect(first!.train_loss).toBeCloseTo(mean, 6);
  });

  it(`a diverging run ends within ${MAX_PENDING_LOSSES} steps of the step whose loss diverged`, async () => {
    const train = { steps: 5000, lr: 2 };
    // Read every step: the run ends at the first step whose loss diverged.
    const exact = await run({ ...train, logEvery: 1 });
    expect(exact.result.status).toBe('diverged');
    const diverged = exact.result.steps;
    expect(diverged).toBeGreaterThan(1);
    expect(diverged).toBeLessThan(MAX_PENDING_LOSSES);
    // Read in groups: the same divergence, found when the group is read back.
    const grouped = await run({ ...train, logEvery: 100_000 });
    expect(grouped.result.status).toBe('diverged');
    expect(grouped.result.steps).toBeGreaterThanOrEqual(diverged);
    expect(grouped.result.steps).toBeLessThanOrEqual(diverged + MAX_PENDING_LOSSES - 1);
    expect(grouped.result.steps).toBe(MAX_PENDING_LOSSES); // the first group's read-back
    expect(grouped.rows.map((r) => r.step)).toEqual([0, MAX_PENDING_LOSSES]);
  });
});

/**
 * How a run ends and what its rows say about it: the three budgets, the last partial batch,
 * the batch-size schedule, divergence (huge LR, NaN loss), abort, and tensor ownership.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBlobsTrainData } from '../../test/support/blobs-train-data.ts';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { loadDataset, type Dataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { disposeTrainEval, withTrainEval } from '../runner/train-data.ts';
import { trainModel } from './loop.ts';
import type { CurveRow, TrainData, TrainResult } from './types.ts';

const N = 40;
const D = 5;
const C = 3;

function configOf(spec: Record<string, unknown>): RunConfig {
  const v = validateSpec({ data: { name: 'blobs' }, model: { name: 'mlp', hidden: [8] }, ...spec });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

/** Trains a fresh model (built and disposed here) and returns the result and every row. */
async function run(
  d: TrainData, spec: Record<string, unknown>, opts: { signal?: AbortSignal; onRow?: (r: CurveRow) => void } = {},
): Promise<{ result: TrainResult; rows: CurveRow[] }> {
  const config = configOf(spec);
  const model = buildModel(config.model as ModelConfig, d.trainX.shape.slice(1), d.trainY.shape[1]!, 1);
  const rows: CurveRow[] = [];
  try {
    const result = await trainModel({
      model, data: d, config, signal: opts.signal,
      observers: [{ onRow: (r) => { rows.push(r); opts.onRow?.(r); } }],
    });
    return { result, rows };
  } finally {
    model.dispose();
  }
}

const evaluated = (r: CurveRow) => r.test_loss !== null && r.test_acc !== null && r.train_eval_loss !== null && r.train_eval_acc !== null;

/** Rows are one per step, in order: a curve never holds two rows for the same step. */
function expectIncreasingSteps(rows: CurveRow[]): void {
  rows.slice(1).forEach((r, i) => expect(r.step).toBeGreaterThan(rows[i].step));
}

let dataset: Dataset;
let data: TrainData;

useLeakCheck('all');
useBlobsTrainData({ classes: C, dim: D, spread: 1, trainSize: N, testSize: 16, seed: 1 }, (d, ds) => {
  data = d;
  dataset = ds;
});
useLeakCheck();

describe('budgets', () => {
  it('steps: stops after exactly that many updates, ending on an evaluated row', async () => {
    const { result, rows } = await run(data, { train: { steps: 7, batchSize: 12, logEvery: 1 } });
    expect(result).toMatchObject({ status: 'completed', steps: 7, examplesSeen: 84 });
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    rows.forEach((r) => expect(r.examples_seen).toBe(12 * r.step));
    expectIncreasingSteps(rows);
    expect(evaluated(rows.at(-1)!)).toBe(true);
    expect(result.final.test_loss).toBe(rows.at(-1)!.test_loss);
  });

  it('examples: stops at the first update that reaches the budget', async () => {
    const exact = await run(data, { train: { examples: 60, batchSize: 12 } });
    expect(exact.result).toMatchObject({ status: 'completed', steps: 5, examplesSeen: 60 });
    expect(exact.rows.at(-1)!.examples_seen).toBe(60);
    // Every step sees a full batch, so a budget between multiples of B rounds up.
    const between = await run(data, { train: { examples: 50, batchSize: 12 } });
    expect(between.result).toMatchObject({ steps: 5, examplesSeen: 60 });
  });

  it('epochs: floor(N/B) steps per epoch (the partial batch is dropped) and the last row at the budget', async () => {
    const { result, rows } = await run(data, { train: { epochs: 2, batchSize: 12, logEvery: 1 } });
    // 40 examples at B = 12: 3 steps per epoch, 4 examples dropped each epoch.
    expect(result).toMatchObject({ status: 'completed', steps: 6, examplesSeen: 72, epochs: 2 });
    expect(rows.map((r) => r.epoch)).toEqual([0, 0.3, 0.6, 1, 1.3, 1.6, 2]);
    expect(rows.filter(evaluated).map((r) => r.step)).toEqual([0, 3, 6]);
    expect(rows.at(-1)!.epoch).toBe(2);
    expectIncreasingSteps(rows);
  });

  it('fractional epochs: stops at the first step past the budget, on one evaluated row', async () => {
    const { result, rows } = await run(data, { train: { epochs: 1.5, batchSize: 12, logEvery: 1 } });
    expect(result).toMatchObject({ status: 'completed', steps: 5, examplesSeen: 60 });
    expect(rows.at(-1)!.epoch).toBeCloseTo(1.6, 12);
    expect(evaluated(rows.at(-1)!)).toBe(true);
    expectIncreasingSteps(rows);
  });

  it('the batch-size schedule multiplies B at each milestone', async () => {
    const { result, rows } = await run(data, {
      train: { epochs: 3, batchSize: 8, logEvery: 1, batchSchedule: { milestones: [1, 2], factor: 2 } },
    });
    // Epoch 0: 5 x 8; epoch 1: 2 x 16 (8 dropped); epoch 2: 1 x 32 (8 dropped).
    expect(result).toMatchObject({ status: 'completed', steps: 8, examplesSeen: 40 + 32 + 32, epochs: 3 });
    expect(rows.map((r) => r.batch_size)).toEqual([8, 8, 8, 8, 8, 8, 16, 16, 32]);
    expect(rows.map((r) => r.examples_seen)).toEqual([0, 8, 16, 24, 32, 40, 56, 72, 104]);
    expect(rows.filter(evaluated).map((r) => r.epoch)).toEqual([0, 1, 2, 3]);
  });
});

describe('divergence', () => {
  // 400 examples at B = 2: 200 steps per epoch, so rows (and loss reads) are far apart.
  let big: Dataset;
  let bigData: TrainData;
  beforeAll(async () => {
    big = await loadDataset({ name: 'blobs', classes: C, dim: D, spread: 1, trainSize: 400, testSize: 16, seed: 1 });
    bigData = withTrainEval(big);
  });
  afterAll(() => {
    disposeTrainEval(bigData);
    big.dispose();
  });

  it('a huge LR ends the run promptly as diverged, with a reason, without throwing', async () => {
    // Rows only every 1000 steps: the loop must still read losses at least every 64 steps.
    const { result, rows } = await run(bigData, { train: { steps: 5000, batchSize: 2, lr: 1e6, logEvery: 1000 } });
    expect(result.status).toBe('diverged');
    expect(result.reason).toMatch(/loss/);
    expect(result.steps).toBeLessThanOrEqual(64);
    expect(rows.at(-1)!.step).toBe(result.steps);
    // The step-0 evaluation must not pass for the final state of a run that blew up.
    expect(rows[0].test_loss).not.toBeNull();
    expect(result.final).toMatchObject({ train_loss: null, train_acc: null, test_loss: null, test_acc: null });
  });

  it('a NaN loss is divergence', async () => {
    const x = tf.tidy(() => tf.concat([tf.fill([1, D], NaN), tf.slice(dataset.trainX, 1, N - 1)]));
    const nanData: TrainData = { ...data, trainX: x };
    try {
      const { result } = await run(nanData, { train: { steps: 50, batchSize: N } });
      expect(result.status).toBe('diverged');
      expect(result.reason).toMatch(/NaN/);
      expect(result.steps).toBe(1);
    } finally {
      x.dispose();
    }
  });

  it('compares per-example losses, so a growing batch is not mistaken for divergence', async () => {
    // B grows 2 -> 400 at epoch 1; a tiny LR keeps the per-example loss nearly constant.
    const { result, rows } = await run(bigData, {
      train: { epochs: 2, batchSize: 2, lr: 1e-6, logEvery: 50, batchSchedule: { milestones: [1], factor: 200 } },
    });
    expect(result.status).toBe('completed');
    expect(rows.at(-1)!.batch_size).toBe(400);
  });
});

describe('abort', () => {
  it('an abort from an observer after 3 steps ends the run as aborted', async () => {
    const ctl = new AbortController();
    const { result, rows } = await run(data, { train: { steps: 100, batchSize: 8, logEvery: 1 } }, {
      signal: ctl.signal,
      onRow: (r) => { if (r.step === 3) ctl.abort(); },
    });
    expect(result).toMatchObject({ status: 'aborted', steps: 3 });
    expect(result.reason).toBeTruthy();
    expect(rows.at(-1)!.step).toBe(3);
    expectIncreasingSteps(rows);
  });

  it('an already aborted signal runs no step', async () => {
    const { result } = await run(data, { train: { steps: 100, batchSize: 8 } }, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: 'aborted', steps: 0 });
  });
});

describe('tensor ownership', () => {
  const CASES: { label: string; spec: Record<string, unknown> }[] = [
    { label: 'sgd + momentum', spec: { optimizer: { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 } } },
    { label: 'adam', spec: { optimizer: { name: 'adam', weightDecay: 1e-4 } } },
    { label: 'accumulation 4', spec: { train: { accumulation: 4 } } },
    { label: 'batch norm', spec: { model: { name: 'mlp', hidden: [8], norm: 'batch' } } },
  ];
  for (const c of CASES) {
    it(`${c.label}: no tensor outlives the run`, async () => {
      const spec = { ...c.spec, train: { steps: 12, batchSize: 8, evalEvery: 5, ...(c.spec.train as object) } };
      const atEpochEnd: number[] = [];
      const midEpoch: number[] = [];
      const { result } = await run(data, spec, {
        onRow: (r) => (Number.isInteger(r.epoch) ? atEpochEnd : midEpoch).push(tf.memory().numTensors),
      });
      expect(result.status).toBe('completed');
      // Steady during the run too: mid-epoch rows hold exactly one more tensor, the epoch's permutation.
      expect(atEpochEnd.length).toBe(3); // step 0 and the ends of epochs 1 and 2 (5 steps each)
      expect(new Set(atEpochEnd).size).toBe(1);
      expect(midEpoch).toEqual(midEpoch.map(() => atEpochEnd[0] + 1));
    });
  }
});

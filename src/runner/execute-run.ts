/**
 * One run end to end: data (cached), model, training, and its files:
 *   <runDir>/run.json   written as `running` at the start, rewritten with the outcome at the end
 *   <runDir>/curve.csv  streamed as training goes
 * A run that throws is recorded `failed` with its error text and returned, not rethrown.
 */
import { mkdir, rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { UsageError } from '../errors.ts';
import { buildModel } from '../models/index.ts';
import type { RunConfig } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';
import { openCurveWriter, writeRunRecord } from '../results/layout.ts';
import { blankRecord, type RunRecord } from '../results/run-record.ts';
import { trainModel } from '../train/loop.ts';
import type { StepProgress, TrainObserver } from '../train/types.ts';
import type { DatasetCache } from './dataset-cache.ts';
import { disposeTrainEval, withTrainEval } from './train-data.ts';

export interface RunContext {
  datasets: DatasetCache;
  environment: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (runId: string, p: StepProgress) => void;
}

export async function executeRun(run: PlannedRun<RunConfig>, runDir: string, ctx: RunContext): Promise<RunRecord> {
  await rm(runDir, { recursive: true, force: true }); // a partial run restarts from scratch
  await mkdir(runDir, { recursive: true });
  const record = blankRecord(run, 'aborted', ctx.environment);
  await writeRunRecord(runDir, { ...record, status: 'running' });
  const t0 = performance.now();
  let tensorsBefore: number | null = null;
  let model: tf.LayersModel | null = null;
  try {
    const dataset = await ctx.datasets.get(run.config.data);
    tensorsBefore = tf.memory().numTensors;
    const seed = run.config.train.seed;
    seedrandom(String(seed), { global: true }); // dropout masks; weights and data order have explicit seeds
    model = buildModel(run.config.model, dataset.inputShape, dataset.numOutputs, seed);
    const data = withTrainEval(dataset);
    const { noiseScale, gradVariance } = run.config.train;
    const curve = await openCurveWriter(runDir, Boolean(noiseScale || gradVariance));
    const progress: TrainObserver = { onProgress: (p) => ctx.onProgress?.(run.runId, p) };
    try {
      const result = await trainModel({ model, data, config: run.config, observers: [curve, progress], signal: ctx.signal });
      record.status = result.status;
      record.reason = result.reason;
      record.final = { ...result.final, steps: result.steps, epochs: result.epochs, examples_seen: result.examplesSeen };
      record.timings.train_s = result.trainMs / 1000;
      record.timings.samples_per_s = result.trainMs > 0 ? result.examplesSeen / (result.trainMs / 1000) : 0;
    } finally {
      disposeTrainEval(data);
    }
  } catch (err) {
    record.status = 'failed';
    record.error = describeError(err);
  } finally {
    model?.dispose();
    record.timings.wall_s = (performance.now() - t0) / 1000;
  }
  const leaked = tensorsBefore === null ? 0 : tf.memory().numTensors - tensorsBefore;
  if (leaked > 0 && record.status !== 'failed') record.reason = `${record.reason ?? ''}${record.reason ? '; ' : ''}${leaked} tensors leaked`;
  await writeRunRecord(runDir, record);
  return record;
}

/** An error as recorded in run.json: its name, message and, for bad input, every issue. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const issues = err instanceof UsageError && err.issues.length
    ? ` (${err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : '';
  return `${err.name}: ${err.message}${issues}`;
}

/**
 * One run end to end: data (cached), model, training, and its files:
 *   <runDir>/run.json        written as `running` at the start, rewritten with the outcome at the end
 *   <runDir>/curve.csv       streamed as training goes; cut back to the checkpoint's length on resume
 *   <runDir>/step-losses.csv every step's training loss, streamed beside it; cut back to the checkpoint's step on resume
 *   <runDir>/checkpoint.bin  saved every train.checkpointEvery (results/checkpoint-store.ts); a run
 *                            that finds one continues from it, and a finished run removes it
 * A run that throws is recorded `failed` with its error (as text and as ErrorData) and returned, not rethrown.
 */
import { mkdir, rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { toErrorData, UsageError } from '../errors.ts';
import { buildRunModel } from '../models/index.ts';
import { CHECKPOINT_DEFAULT, type RunConfig } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';
import {
  CheckpointUnreadableError, readCheckpoint, removeCheckpoint, removeCheckpointTemps, writeCheckpoint, type StoredCheckpoint,
} from '../results/checkpoint-store.ts';
import { FINISHED, writeRunRecord } from '../results/layout.ts';
import { openCurveWriter, resumeProblem } from '../results/curve-files.ts';
import { blankRecord, type RunRecord } from '../results/run-record.ts';
import { CheckpointMismatchError } from '../train/checkpoint-state.ts';
import { trainModel } from '../train/loop.ts';
import type { StepProgress, TrainObserver } from '../train/types.ts';
import type { DatasetCache } from './dataset-cache.ts';
import { disposeTrainEval, withTrainEval } from './train-data.ts';
import { readRunRandom, restoreRunRandom, seedRunRandom, type RandomState } from './run-random.ts';

export interface RunContext {
  datasets: DatasetCache;
  environment: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (runId: string, p: StepProgress) => void;
  /** Keep the checkpoint of a finished run (it is removed by default). */
  keepCheckpoints?: boolean;
}

export async function executeRun(run: PlannedRun<RunConfig>, runDir: string, ctx: RunContext): Promise<RunRecord> {
  const { checkpoint, note } = await readResumable(runDir, run.runId);
  const outcome = await executeFrom(run, runDir, ctx, checkpoint, note);
  if (!(outcome instanceof CheckpointMismatchError)) return outcome;
  // A checkpoint that does not fit the model (say, from another batchlab version): start over.
  return executeFrom(run, runDir, ctx, null, `restarted from step 0: ${outcome.message}`) as Promise<RunRecord>;
}

/** The run from `resumed` (or from scratch); a checkpoint that does not fit is returned instead of a record. */
async function executeFrom(
  run: PlannedRun<RunConfig>, runDir: string, ctx: RunContext, resumed: StoredCheckpoint | null, note?: string,
): Promise<RunRecord | CheckpointMismatchError> {
  // A partial run continues from its checkpoint; without one it restarts from scratch.
  if (resumed) await removeCheckpointTemps(runDir);
  else await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });
  const record = blankRecord(run, 'aborted', ctx.environment);
  await writeRunRecord(runDir, { ...record, status: 'running' });
  const t0 = performance.now();
  let tensorsBefore: number | null = null;
  let model: tf.LayersModel | null = null;
  let mismatch: CheckpointMismatchError | null = null;
  try {
    const dataset = await ctx.datasets.get(run.config.data);
    tensorsBefore = tf.memory().numTensors;
    const seed = run.config.train.seed;
    seedRunRandom(seed); // dropout masks; weights and data order have explicit seeds
    model = await buildRunModel(run.config.model, dataset.inputShape, dataset.numOutputs, seed);
    if (resumed?.random) restoreRunRandom(resumed.random as RandomState);
    const data = withTrainEval(dataset);
    const { noiseScale, gradVariance } = run.config.train;
    const resumeAt = resumed ? { curveLength: resumed.curveLength, step: resumed.state.step } : undefined;
    const curve = await openCurveWriter(runDir, Boolean(noiseScale || gradVariance), resumeAt, Boolean(data.valX));
    const progress: TrainObserver = { onProgress: (p) => ctx.onProgress?.(run.runId, p) };
    const every = run.config.train.checkpointEvery ?? CHECKPOINT_DEFAULT;
    let trainFailed = true;
    try {
      const result = await trainModel({
        model, data, config: run.config, observers: [curve, progress], signal: ctx.signal, resume: resumed?.state,
        checkpoint: every === false ? undefined : {
          every,
          save: async (state) => {
            const random = readRunRandom();
            await writeCheckpoint(runDir, { runId: run.runId, random, curveLength: await curve.syncedLength(), state });
          },
        },
      });
      record.status = result.status;
      record.reason = [note, result.reason].filter(Boolean).join('; ') || undefined;
      record.final = { ...result.final, steps: result.steps, epochs: result.epochs, examples_seen: result.examplesSeen };
      record.timings.train_s = result.trainMs / 1000;
      record.timings.samples_per_s = result.trainMs > 0 ? result.examplesSeen / (result.trainMs / 1000) : 0;
      trainFailed = false;
    } finally {
      disposeTrainEval(data);
      // Every row on disk before run.json says how the run ended; a failed append fails the run
      // (below), unless the run already failed for another reason, which is the one recorded.
      await curve.flush().catch((err: unknown) => { if (!trainFailed) throw err; });
    }
  } catch (err) {
    if (resumed && err instanceof CheckpointMismatchError) mismatch = err;
    record.status = 'failed';
    record.error = describeError(err);
    record.failure = toErrorData(err);
  } finally {
    model?.dispose();
    // A resumed run's wall time includes the time it ran before.
    record.timings.wall_s = (performance.now() - t0 + (resumed?.state.wallMs ?? 0)) / 1000;
  }
  if (mismatch) return mismatch;
  const leaked = tensorsBefore === null ? 0 : tf.memory().numTensors - tensorsBefore;
  if (leaked > 0 && record.status !== 'failed') record.reason = `${record.reason ?? ''}${record.reason ? '; ' : ''}${leaked} tensors leaked`;
  await writeRunRecord(runDir, record);
  // After run.json: a crash in between leaves a finished run with a stale checkpoint, never the reverse.
  if (FINISHED.has(record.status) && !ctx.keepCheckpoints) await removeCheckpoint(runDir);
  return record;
}

/**
 * The run's checkpoint if it has a usable one (readable, its curve.csv reaching the checkpoint's
 * length and its step-losses.csv the checkpoint's step); an unusable one is noted and the run starts over.
 */
async function readResumable(runDir: string, runId: string): Promise<{ checkpoint: StoredCheckpoint | null; note?: string }> {
  let checkpoint: StoredCheckpoint | null;
  try {
    checkpoint = await readCheckpoint(runDir, runId);
  } catch (err) {
    if (!(err instanceof CheckpointUnreadableError)) throw err;
    return { checkpoint: null, note: `restarted from step 0: ${err.message}` };
  }
  const problem = checkpoint && await resumeProblem(runDir, { curveLength: checkpoint.curveLength, step: checkpoint.state.step });
  return problem ? { checkpoint: null, note: `restarted from step 0: ${problem}` } : { checkpoint };
}

/** An error as recorded in run.json: its name, message and, for bad input, every issue. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const issues = err instanceof UsageError && err.issues.length
    ? ` (${err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : '';
  return `${err.name}: ${err.message}${issues}`;
}

/**
 * A curve row: the training loss of the steps since the previous row (read back here), gradient
 * statistics when due, the evaluation when asked for, and the wall time; then the observers.
 * The time spent here after reading the losses back is outside training time.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/schema.ts';
import { evaluateForRow } from './eval-schedule.ts';
import { gradStatsDue, measureGradStats, type GradStatsRow } from './grad-stats.ts';
import { progressOf, type LoopState } from './loop-state.ts';
import { drainLosses, type DrainedLosses } from './pending-losses.ts';
import type { CurveRow, StepLossRow, TrainData, TrainObserver } from './types.ts';

const EMPTY_GRAD_STATS: Required<GradStatsRow> = {
  grad_norm_sq: null, trace_sigma: null, noise_scale: null, grad_var: null, grad_var_iid: null,
};

/** What a row needs besides the run's state. */
export interface RowInputs {
  model: tf.LayersModel;
  data: TrainData;
  train: RunConfig['train'];
  observers: readonly TrainObserver[];
  now: () => number;
}

/**
 * The row at the state's step, without evaluation and wall time: `trainLoss` is the mean
 * per-example loss since the previous row; the gradient-statistics columns are present (null
 * unless `measured` has them) when the run measures any; the validation columns (null) when the
 * data have a validation split.
 */
export function buildCurveRow(
  state: LoopState, trainLoss: number | null, lr: number, batchSize: number, measured: GradStatsRow, withValidation = false,
): CurveRow {
  return {
    step: state.step, epoch: state.sampler.epochFloat, examples_seen: state.examplesSeen, batch_size: batchSize, lr,
    train_loss: trainLoss, train_eval_loss: null, train_eval_acc: null, test_loss: null, test_acc: null,
    wall_ms: 0,
    ...(state.gradStats ? { ...EMPTY_GRAD_STATS, ...measured } : {}),
    ...(withValidation ? { val_loss: null, val_acc: null } : {}),
  };
}

/**
 * The step-losses rows of the steps just read back, the last of which is `step` with `examplesSeen`
 * examples seen after it (so the earlier steps are numbered and counted back from it).
 */
export function stepLossRows(drained: DrainedLosses, step: number, examplesSeen: number): StepLossRow[] {
  const rows: StepLossRow[] = new Array(drained.perStep.length);
  let examples = examplesSeen;
  for (let i = drained.perStep.length - 1; i >= 0; i--) {
    rows[i] = { step: step - (drained.perStep.length - 1 - i), examples_seen: examples, train_loss: drained.perStep[i]! };
    examples -= drained.sizes[i]!;
  }
  return rows;
}

/**
 * Reads the pending losses back (which may mark the run diverged), hands each step's loss to the
 * observers, then builds the row and hands it to them.
 */
export async function emitRow(
  state: LoopState, inputs: RowInputs, withEval: boolean, lr: number, batchSize: number, withTrainSubset = true,
): Promise<void> {
  const { model, data, train, observers, now } = inputs;
  const drained = await drainLosses(state.pending, state, train.divergenceFactor);
  const trainLoss = drained?.mean ?? null;
  const emitStart = now();
  if (drained && observers.some((o) => o.onStepLosses)) {
    const rows = stepLossRows(drained, state.step, state.examplesSeen);
    for (const o of observers) await o.onStepLosses?.(rows);
  }
  const diverged = state.status === 'diverged';
  // Gradient statistics are measured on the weights this row reports, outside training time.
  const measured = gradStatsDue(state.gradStats, state.step) && !diverged
    ? await measureGradStats({ model, data, state: state.gradStats, step: state.step, batchSize }) : {};
  const row = buildCurveRow(state, trainLoss, lr, batchSize, measured, Boolean(data.valX));
  if (withEval && !diverged) {
    const evalStart = now();
    Object.assign(row, await evaluateForRow(state, model, data, train.evalBatchSize, withTrainSubset));
    state.evalMs += now() - evalStart;
  }
  row.wall_ms = now() - state.start;
  for (const o of observers) await o.onRow?.(row);
  const { step, examplesSeen } = state;
  for (const o of observers) o.onProgress?.({ step, epoch: row.epoch, examplesSeen, loss: trainLoss, progress: progressOf(state) });
  state.outsideMs += now() - emitStart;
}

/**
 * Which steps get a curve row and which rows are evaluated (train subset, test set and, with
 * data.validationSize, the validation split, in inference mode), and the evaluation itself.
 *
 * A row follows a step when an epoch ends, every `train.logEvery` steps (default: about 20 rows
 * per epoch), at an evaluation, when gradient statistics are due, and when MAX_PENDING_LOSSES
 * losses wait to be read back. A row is evaluated at the end of every epoch, every
 * `train.evalEvery` steps, at the log-spaced points of `train.evalLogSpaced`, and at the last step
 * of the budget (so the run closes on one). The log-spaced points evaluate the held-out splits
 * only (test and validation: what steps to a target read); the others the train subset too.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/schema.ts';
import { evaluate } from './evaluate.ts';
import { gradStatsDue } from './grad-stats.ts';
import { budgetSpent, type LoopState } from './loop-state.ts';
import type { CurveRow, TrainData } from './types.ts';

/** Steps between rows: train.logEvery, or about 20 rows per epoch of batch train.batchSize over `n` examples. */
export function logEveryOf(train: RunConfig['train'], n: number): number {
  const stepsPerEpoch = Math.max(1, Math.floor(n / train.batchSize));
  return train.logEvery > 0 ? train.logEvery : Math.max(1, Math.round(stepsPerEpoch / 20));
}

export interface RowPlan {
  row: boolean;
  evaluated: boolean;
  /** With `evaluated`: the train subset is evaluated too (false at a log-spaced point only). */
  trainSubset: boolean;
}

/**
 * Whether a step that took the examples seen from `before` to `after` reaches one of the points
 * fromExamples x 2^(k / perDoubling), k = 0, 1, 2, ... (the first step at or past each point is
 * evaluated; a step passing several counts once).
 */
export function logSpacedEvalDue(spacing: NonNullable<RunConfig['train']['evalLogSpaced']>, before: number, after: number): boolean {
  const { perDoubling, fromExamples } = spacing;
  if (after < fromExamples) return false;
  // Index of the last point at or below x; the epsilon keeps exact points (powers of 2) from rounding below.
  const index = (x: number) => (x < fromExamples ? -1 : Math.floor(perDoubling * Math.log2(x / fromExamples) + 1e-9));
  return index(after) > index(before);
}

/**
 * The row (if any) that follows the step just taken over `stepExamples` examples; `endOfEpoch`:
 * the epoch has no batch left.
 */
export function rowAfterStep(state: LoopState, train: RunConfig['train'], logEvery: number, endOfEpoch: boolean, stepExamples: number): RowPlan {
  if (endOfEpoch) return { row: true, evaluated: true, trainSubset: true };
  const { step, examplesSeen } = state;
  // The last step of the budget gets the closing evaluation in its own row.
  const full = (train.evalEvery > 0 && step % train.evalEvery === 0) || budgetSpent(state);
  const heldOut = train.evalLogSpaced !== undefined && logSpacedEvalDue(train.evalLogSpaced, examplesSeen - stepExamples, examplesSeen);
  const evaluated = full || heldOut;
  const row = evaluated || step % logEvery === 0 || state.pending.full || gradStatsDue(state.gradStats, step);
  return { row, evaluated, trainSubset: full };
}

type EvalColumns = Pick<CurveRow, 'train_eval_loss' | 'train_eval_acc' | 'test_loss' | 'test_acc' | 'val_loss' | 'val_acc'>;

/**
 * Evaluates the model on the train subset (unless `trainSubset` is false: its columns stay null
 * and the final metrics keep the last value), the test set and the validation split (when the
 * data have one), records the result as the run's final metrics so far (and the best test and
 * validation accuracies), and returns the row's evaluation columns.
 */
export async function evaluateForRow(
  state: LoopState, model: tf.LayersModel, data: TrainData, evalBatchSize: number, trainSubset = true,
): Promise<EvalColumns> {
  const tr = trainSubset ? await evaluate(model, data.trainEvalX, data.trainEvalY, data.task, evalBatchSize) : null;
  const te = await evaluate(model, data.testX, data.testY, data.task, evalBatchSize);
  if (tr) Object.assign(state.final, { train_loss: tr.loss, train_acc: tr.acc });
  Object.assign(state.final, { test_loss: te.loss, test_acc: te.acc });
  if (te.acc !== null) state.final.best_test_acc = Math.max(state.final.best_test_acc ?? -Infinity, te.acc);
  const columns: EvalColumns = { train_eval_loss: tr?.loss ?? null, train_eval_acc: tr?.acc ?? null, test_loss: te.loss, test_acc: te.acc };
  if (!data.valX || !data.valY) return columns;
  const va = await evaluate(model, data.valX, data.valY, data.task, evalBatchSize);
  Object.assign(state.final, { val_loss: va.loss, val_acc: va.acc });
  if (va.acc !== null) state.final.best_val_acc = Math.max(state.final.best_val_acc ?? -Infinity, va.acc);
  return { ...columns, val_loss: va.loss, val_acc: va.acc };
}

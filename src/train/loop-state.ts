/**
 * The run's state in one object: what the loop changes from step to step (counters, data order,
 * optimizer, gradient-statistics generator, losses not yet read back, how the run stands) and what
 * it fixed at the start (the model's trainable variables, the budget, the clock's origin). The
 * loop's parts (loss draining, curve rows, evaluation scheduling, checkpoints) read and change it;
 * a checkpoint is a snapshot of it (snapshotLoopState), and restoring one gives the same state.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec, RunConfig } from '../config/schema.ts';
import { trainableVariables } from '../models/trainable-variables.ts';
import { EpochSampler } from './batches.ts';
import { readHostTensors, restoreWeights, toTensors, type LoopCheckpoint } from './checkpoint-state.ts';
import { createGradStatsState, snapshotGradStats, type GradStatsState } from './grad-stats.ts';
import { createOptimizer, type Optimizer } from './optimizers.ts';
import { PendingLosses, type DivergenceWatch } from './pending-losses.ts';
import type { FinalMetrics } from './types.ts';

/** What ends the run: train.steps, train.examples or train.epochs (the default, 1). */
export type Budget = { kind: 'epochs' | 'steps' | 'examples'; value: number };

export function budgetOf(train: RunConfig['train']): Budget {
  if (train.steps !== undefined) return { kind: 'steps', value: train.steps };
  if (train.examples !== undefined) return { kind: 'examples', value: train.examples };
  return { kind: 'epochs', value: train.epochs ?? 1 };
}

export interface LoopState extends DivergenceWatch {
  /** Optimizer updates done. */
  step: number;
  examplesSeen: number;
  /** Clock reading (ms) the wall time counts from; for a resumed run it lies before the resume by the time already run. */
  readonly start: number;
  /**
   * Time (ms) spent evaluating, measuring, checkpointing and in observers; training time is the
   * rest of the wall time. Reading the losses back stays in training time: on GPU backends that
   * is where the steps' work is waited for.
   */
  outsideMs: number;
  /** Of the outside time, evaluating (curve rows' evaluations); this process's part of the run only. */
  evalMs: number;
  /** Training time of the first FIRST_STEPS steps this process took (row time excluded); null until taken. */
  firstStepsMs: number | null;
  /** Metrics of the last evaluation and the best test accuracy so far. */
  final: FinalMetrics;
  readonly budget: Budget;
  /** The model's trainable variables, in the order the optimizer keeps its slots. */
  readonly vars: tf.Variable[];
  readonly optimizer: Optimizer;
  readonly sampler: EpochSampler;
  readonly gradStats: GradStatsState | null;
  readonly pending: PendingLosses;
  /** The LR as a device scalar, re-uploaded only when the schedule changes it. */
  lr: { value: number; tensor: tf.Scalar | null };
  /** The step and clock reading (ms) of the last checkpoint (or of the start). */
  lastCheckpoint: { step: number; at: number };
}

/**
 * A run's state at step 0, or at `resume`'s step (check it with checkCheckpointFits first; the
 * weights and optimizer slots are restored by restoreLoopState). Dispose with disposeLoopState.
 */
export function createLoopState(
  model: tf.LayersModel, train: RunConfig['train'], optimizerSpec: OptimizerSpec, n: number,
  now: () => number, resume?: LoopCheckpoint,
): LoopState {
  const vars = trainableVariables(model);
  const optimizer = createOptimizer(optimizerSpec, vars);
  const sampler = new EpochSampler(n, train.seed, resume?.sampler);
  const gradStats = createGradStatsState({
    seed: train.seed, batchSize: train.batchSize, noiseScale: train.noiseScale, gradVariance: train.gradVariance,
  }, n, undefined, resume?.gradStats);
  const step = resume?.step ?? 0;
  const start = now() - (resume?.wallMs ?? 0);
  return {
    step, examplesSeen: resume?.examplesSeen ?? 0, start, outsideMs: resume?.outsideMs ?? 0, evalMs: 0, firstStepsMs: null,
    firstLoss: resume?.firstLoss ?? null, status: 'completed', reason: undefined,
    final: resume ? { ...resume.final } : { train_loss: null, train_acc: null, test_loss: null, test_acc: null, best_test_acc: null },
    budget: budgetOf(train), vars, optimizer, sampler, gradStats, pending: new PendingLosses(),
    lr: { value: NaN, tensor: null }, lastCheckpoint: { step, at: now() },
  };
}

/** Puts `resume`'s weights into `model` and its slots into the state's optimizer. */
export function restoreLoopState(state: LoopState, model: tf.LayersModel, resume: LoopCheckpoint): void {
  restoreWeights(model, resume.weights);
  const slots = toTensors(resume.optimizer.slots);
  try {
    state.optimizer.restore(resume.optimizer.t, slots);
  } finally {
    tf.dispose(slots);
  }
}

/** Copies of everything resuming needs (taken between rows, with no loss pending); `at` is the clock reading. */
export async function snapshotLoopState(state: LoopState, model: tf.LayersModel, at: number): Promise<LoopCheckpoint> {
  const opt = state.optimizer.state();
  const [weights, slots] = await Promise.all([
    readHostTensors(model.weights.map((w) => w.read())), readHostTensors(opt.slots),
  ]);
  return {
    step: state.step, examplesSeen: state.examplesSeen, firstLoss: state.firstLoss, final: { ...state.final },
    wallMs: at - state.start, outsideMs: state.outsideMs, sampler: state.sampler.snapshot(), weights,
    optimizer: { t: opt.t, slots }, gradStats: snapshotGradStats(state.gradStats),
  };
}

/** The state's LR scalar for `lr`, uploaded only when it differs from the last one. */
export function lrTensorFor(state: LoopState, lr: number): tf.Scalar {
  if (state.lr.value !== lr || state.lr.tensor === null) {
    state.lr.tensor?.dispose();
    state.lr = { value: lr, tensor: tf.scalar(lr) };
  }
  return state.lr.tensor!;
}

/** Fraction of the budget consumed, in [0, 1]. */
export function progressOf(state: LoopState): number {
  const { budget } = state;
  const done = budget.kind === 'steps' ? state.step : budget.kind === 'examples' ? state.examplesSeen : state.sampler.epochFloat;
  return Math.min(1, done / budget.value);
}

export const budgetSpent = (state: LoopState): boolean => progressOf(state) >= 1;

/** Disposes every tensor the state owns (pending losses, the LR, optimizer slots, the sampler's permutation). */
export function disposeLoopState(state: LoopState): void {
  state.lr.tensor?.dispose();
  state.pending.dispose();
  state.optimizer.dispose();
  state.sampler.dispose();
}

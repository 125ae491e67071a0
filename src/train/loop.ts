/**
 * The training loop: per step it asks the batch and LR schedules for B and the LR, takes one
 * optimizer step (train-step.ts), and emits curve rows to observers when they are due
 * (eval-schedule.ts, curve-row.ts); batchlab's MLP on the native backend takes direct steps
 * (direct-dense-step.ts), the same bits without tfjs's per-op cost. Losses are read back in groups (pending-losses.ts), so GPU
 * backends never stall on a per-step host sync; checkpoints follow checkpoint-policy.ts. The run's
 * state is one object (loop-state.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/schema.ts';
import { planBatchSchedule, planLrSchedule } from '../core/schedule.ts';
import { checkCheckpointFits, type LoopCheckpoint } from './checkpoint-state.ts';
import { checkpointDue, checkpointOnAbort, saveCheckpoint, type CheckpointPolicy } from './checkpoint-policy.ts';
import { emitRow, type RowInputs } from './curve-row.ts';
import { logEveryOf, rowAfterStep } from './eval-schedule.ts';
import {
  budgetSpent, createLoopState, disposeLoopState, lrTensorFor, progressOf, restoreLoopState, type LoopState,
} from './loop-state.ts';
import { evaluatePreciseBn } from './precise-bn.ts';
import { planDirectDenseStep } from './direct-dense-step.ts';
import { runStep } from './train-step.ts';
import type { TrainData, TrainObserver, TrainResult } from './types.ts';

export interface TrainArgs {
  model: tf.LayersModel;
  data: TrainData;
  config: Pick<RunConfig, 'train' | 'optimizer' | 'loss'>;
  observers?: TrainObserver[];
  signal?: AbortSignal;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /**
   * Saves a checkpoint this often (at the first curve row after `every` steps or seconds since the
   * last one, and when aborted between rows). `save` owns the state it is given.
   */
  checkpoint?: CheckpointPolicy;
  /** A checkpoint of this run (same model shape, data and config) to continue from instead of step 0. */
  resume?: LoopCheckpoint;
}

/** Everything the loop reads besides its state. */
interface LoopInputs extends RowInputs {
  signal?: AbortSignal;
  checkpoint?: CheckpointPolicy;
  reduction: RunConfig['loss']['reduction'];
  lrAt: ReturnType<typeof planLrSchedule>;
  batchAt: ReturnType<typeof planBatchSchedule>;
  logEvery: number;
}

/** Trains `model` in place and returns how it ended; a diverged or aborted run is a result, not an error. */
export async function trainModel(args: TrainArgs): Promise<TrainResult> {
  const { model, data, config, resume } = args;
  const { train } = config;
  const n = data.trainX.shape[0];
  if (resume) checkCheckpointFits(resume, model, n); // before anything is built that would need disposing
  const now = args.now ?? (() => performance.now());
  const inputs: LoopInputs = {
    model, data, train, observers: args.observers ?? [], now,
    signal: args.signal, checkpoint: args.checkpoint, reduction: config.loss.reduction,
    lrAt: planLrSchedule(train.schedule, train.lr), batchAt: planBatchSchedule(train.batchSchedule, train.batchSize),
    logEvery: logEveryOf(train, n),
  };
  const state = createLoopState(model, train, config.optimizer, n, now, resume);
  try {
    if (resume) restoreLoopState(state, model, resume);
    await runLoop(state, inputs, resume === undefined);
  } finally {
    disposeLoopState(state);
  }
  if (state.status === 'diverged') {
    // The last evaluation predates the blow-up; reporting it as final would make a diverged run
    // look like an early-stopped one. best_test_acc keeps what the run did reach.
    Object.assign(state.final, { train_loss: null, train_acc: null, test_loss: null, test_acc: null });
    if (data.valX) Object.assign(state.final, { val_loss: null, val_acc: null });
  }
  if (state.status === 'completed' && train.preciseBn) {
    const evalStart = now();
    Object.assign(state.final, await evaluatePreciseBn(model, data, train.preciseBn.examples, train.evalBatchSize, train.seed));
    const evalMs = now() - evalStart;
    state.outsideMs += evalMs;
    state.evalMs += evalMs;
  }
  const wallMs = now() - state.start;
  const { status, reason, step: steps, examplesSeen, final, evalMs, firstStepsMs } = state;
  return {
    status, reason, steps, epochs: state.sampler.epochFloat, examplesSeen, final, trainMs: wallMs - state.outsideMs, wallMs, evalMs, firstStepsMs,
  };
}

/** Steps whose training time TrainResult.firstStepsMs reports. */
const FIRST_STEPS = 3;

/** Steps until the budget is spent, the run diverges or the signal aborts it; `fresh`: emit the step-0 row first. */
async function runLoop(state: LoopState, inputs: LoopInputs, fresh: boolean): Promise<void> {
  const { model, train, lrAt, batchAt, now, checkpoint } = inputs;
  const { vars, optimizer, sampler } = state;
  const direct = planDirectDenseStep({ model, data: inputs.data, vars, optimizer, sampler, reduction: inputs.reduction });
  const stepArgs = { ...inputs, vars, optimizer, sampler, direct };
  let lr = lrAt({ step: state.step, epoch: sampler.epochFloat, progress: progressOf(state) });
  lrTensorFor(state, lr);
  let batchSize = batchAt(sampler.epochFloat);
  if (fresh) await emitRow(state, inputs, true, lr, batchSize); // a resumed run's rows up to its step are already stored
  const first = { step: state.step + FIRST_STEPS, at: now(), outside: state.outsideMs };
  while (!budgetSpent(state) && state.status === 'completed') {
    if (inputs.signal?.aborted) {
      state.status = 'aborted';
      state.reason = 'interrupted';
      // Between rows the state is complete: keep it, so the run goes on from here.
      if (checkpointOnAbort(state, checkpoint)) await saveCheckpoint(state, model, checkpoint!, now);
      break;
    }
    batchSize = batchAt(sampler.epochFloat); // epochs end right after their last step, below
    lr = lrAt({ step: state.step, epoch: sampler.epochFloat, progress: progressOf(state) });
    state.pending.push(runStep(stepArgs, batchSize, train.accumulation, lrTensorFor(state, lr)), batchSize);
    state.step += 1;
    state.examplesSeen += batchSize;
    const endOfEpoch = sampler.exhausted(batchAt(sampler.epochFloat));
    const plan = rowAfterStep(state, train, inputs.logEvery, endOfEpoch, batchSize);
    if (endOfEpoch) sampler.endEpoch();
    if (plan.row) {
      await emitRow(state, inputs, plan.evaluated, lr, batchSize, plan.trainSubset);
      // Observers may return at once and cpu read-backs resolve as microtasks: without a turn of the
      // event loop here, a worker would see neither its abort message nor send its progress until
      // the run ends. Rows come at least every MAX_PENDING_LOSSES steps.
      await yieldToEventLoop();
    }
    if (checkpointDue(state, checkpoint, now)) await saveCheckpoint(state, model, checkpoint!, now);
    if (state.step === first.step) state.firstStepsMs = now() - first.at - (state.outsideMs - first.outside);
  }
  // An abort can leave steps without a row: close with an evaluated one. Otherwise the last
  // row already covers this step, and a second row for it would duplicate the step in the curve.
  if (state.pending.count > 0) await emitRow(state, inputs, true, lr, batchSize);
}

/** Lets timers, I/O and IPC messages (an abort, progress) run between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

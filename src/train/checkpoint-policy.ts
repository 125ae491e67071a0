/**
 * When the loop saves a checkpoint, and saving one. A checkpoint is taken only between rows (no
 * loss pending, so the state is complete), never for a run that is over (diverged, or its budget
 * spent: resuming would have nothing to do), and at most once per step:
 *   - every `every.steps` steps, or `every.seconds` seconds, at the first row after that;
 *   - when the run is aborted between rows, so it goes on from there.
 */
import type * as tf from '@tensorflow/tfjs';
import type { CheckpointEvery } from '../config/schema.ts';
import type { LoopCheckpoint } from './checkpoint-state.ts';
import { budgetSpent, snapshotLoopState, type LoopState } from './loop-state.ts';

export interface CheckpointPolicy {
  every: Exclude<CheckpointEvery, false>;
  /** Stores the state; it owns what it is given. */
  save(state: LoopCheckpoint): Promise<void>;
}

/** Whether a checkpoint is due now, after a step and its row (if any). */
export function checkpointDue(state: LoopState, policy: CheckpointPolicy | undefined, now: () => number): boolean {
  const every = policy?.every;
  if (!every || state.pending.count > 0 || state.step <= state.lastCheckpoint.step || budgetSpent(state) || state.status !== 'completed') return false;
  return 'steps' in every ? state.step - state.lastCheckpoint.step >= every.steps : now() - state.lastCheckpoint.at >= every.seconds * 1000;
}

/** Whether an aborted run can keep its state here: between rows, and past the last checkpoint. */
export function checkpointOnAbort(state: LoopState, policy: CheckpointPolicy | undefined): boolean {
  return policy !== undefined && state.pending.count === 0 && state.step > state.lastCheckpoint.step;
}

/** Saves the state through `policy`; the time it takes is outside training time. */
export async function saveCheckpoint(
  state: LoopState, model: tf.LayersModel, policy: CheckpointPolicy, now: () => number,
): Promise<void> {
  const t0 = now();
  await policy.save(await snapshotLoopState(state, model, t0));
  state.lastCheckpoint = { step: state.step, at: now() };
  state.outsideMs += state.lastCheckpoint.at - t0;
}

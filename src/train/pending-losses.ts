/**
 * The training losses not yet read back, and the divergence rule applied when they are.
 *
 * Each step's loss stays on the device as a scalar; the loop reads the pending ones back in one
 * transfer at the next curve row, so on GPU backends it never waits for a step before issuing
 * the next one. At most MAX_PENDING_LOSSES steps wait: the loop emits a row (and so reads the
 * losses back) once that many are pending, which bounds how far a diverging run goes on.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainResult } from './types.ts';

/**
 * Steps whose losses may wait on the device before the loop reads them back. A run whose loss
 * diverges at step s therefore ends at a step in [s, s + MAX_PENDING_LOSSES - 1]; the diverged
 * steps past s never get a row of their own beyond the closing one.
 */
export const MAX_PENDING_LOSSES = 64;

/** The part of the run's state the divergence rule reads and sets. */
export interface DivergenceWatch {
  /** The first per-example training loss of the run: divergence is measured against it. */
  firstLoss: number | null;
  status: TrainResult['status'];
  reason?: string;
}

/** Why `loss` (per example) counts as divergence against the run's first loss, or null when it does not. */
export function divergenceOf(loss: number, firstLoss: number, factor: number): string | null {
  if (!Number.isFinite(loss)) return `loss became ${loss}`;
  if (firstLoss > 0 && loss > factor * firstLoss) {
    return `loss ${loss.toPrecision(4)} exceeded ${factor}x its first value ${firstLoss.toPrecision(4)}`;
  }
  return null;
}

/** Summed per-example losses of steps taken but not yet read back, each with its batch size. */
export class PendingLosses {
  private losses: tf.Scalar[] = [];
  private sizes: number[] = [];
  private examples = 0;

  /** Takes ownership of `loss`, the summed loss of a step over `batchSize` examples. */
  push(loss: tf.Scalar, batchSize: number): void {
    this.losses.push(loss);
    this.sizes.push(batchSize);
    this.examples += batchSize;
  }

  get count(): number {
    return this.losses.length;
  }

  /** True once MAX_PENDING_LOSSES steps wait: the loop must read them back before the next step. */
  get full(): boolean {
    return this.losses.length >= MAX_PENDING_LOSSES;
  }

  /**
   * Reads every pending loss back in one transfer and forgets them. Returns each step's summed
   * loss with its batch size, and the examples they cover; null when none is pending.
   */
  async take(): Promise<{ totals: ArrayLike<number>; sizes: number[]; examples: number } | null> {
    if (this.losses.length === 0) return null;
    const stacked = tf.stack(this.losses);
    const totals = await stacked.data();
    stacked.dispose();
    this.dispose();
    const taken = { totals, sizes: this.sizes, examples: this.examples };
    this.sizes = [];
    this.examples = 0;
    return taken;
  }

  /** Disposes the pending losses (they are lost). */
  dispose(): void {
    this.losses.forEach((t) => t.dispose());
    this.losses = [];
  }
}

/** What drainLosses read back: the mean per example over the steps, and each step's own mean per example. */
export interface DrainedLosses {
  mean: number;
  /** One per step in step order: the step's loss per example (its summed loss over its batch size). */
  perStep: number[];
  /** The batch size of each step, in step order. */
  sizes: number[];
}

/**
 * Reads the pending losses back and returns their mean per example and each step's (null when
 * none is pending). Sets `watch.firstLoss` from the run's first loss and marks the run diverged
 * when a step's per-example loss is not finite or exceeds `factor` times the first loss.
 */
export async function drainLosses(pending: PendingLosses, watch: DivergenceWatch, factor: number): Promise<DrainedLosses | null> {
  const taken = await pending.take();
  if (taken === null) return null;
  let sum = 0;
  const perStep: number[] = [];
  for (let i = 0; i < taken.totals.length; i++) {
    const total = taken.totals[i];
    // Per-example means, so a batch-size schedule does not look like divergence.
    const v = total / taken.sizes[i];
    perStep.push(v);
    if (watch.firstLoss === null) watch.firstLoss = v;
    const diverged = divergenceOf(v, watch.firstLoss, factor);
    if (diverged !== null) {
      watch.status = 'diverged';
      watch.reason = diverged;
    }
    sum += total;
  }
  return { mean: sum / taken.examples, perStep, sizes: taken.sizes };
}

/**
 * The training loop's state at a checkpoint: everything a resumed run needs to continue exactly as
 * an uninterrupted one would. Taken only right after a curve row, when no step's loss is pending.
 * Tensors are held as host arrays (copies), so a state outlives the run's tensors and owns none.
 * The curve rows emitted so far are not part of it: whoever stores the rows (the curve writer)
 * notes where they end beside the checkpoint, so a checkpoint's size does not grow with the run.
 */
import * as tf from '@tensorflow/tfjs';
import { EnvironmentError, InternalError } from '../errors.ts';
import type { SamplerState } from './batches.ts';
import type { GradStatsSnapshot } from './grad-stats.ts';
import type { FinalMetrics } from './types.ts';

/** A checkpoint that does not fit the run it is resumed into (another model shape or data size); the run restarts. */
export class CheckpointMismatchError extends EnvironmentError {
  override name = 'CheckpointMismatchError';
}

/** One tensor's values on the host. */
export interface HostTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export interface LoopCheckpoint {
  step: number; // optimizer updates done
  examplesSeen: number;
  /** The first per-example training loss (the divergence test compares against it). */
  firstLoss: number | null;
  /** Metrics of the last evaluation and the best test accuracy so far. */
  final: FinalMetrics;
  wallMs: number; // wall time of the run so far
  outsideMs: number; // of which evaluating and observers (not training time)
  sampler: SamplerState;
  /** model.weights in order: trainable weights and the BatchNorm moving statistics. */
  weights: HostTensor[];
  optimizer: { t: number; slots: HostTensor[] };
  gradStats: GradStatsSnapshot | null;
}

/** Copies of `tensors`' values (read without blocking the event loop). */
export async function readHostTensors(tensors: readonly tf.Tensor[]): Promise<HostTensor[]> {
  return Promise.all(tensors.map(async (t) => {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new InternalError(`cannot checkpoint a ${t.dtype} tensor`);
    const data = await t.data();
    const values = t.dtype === 'int32' ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array);
    return { shape: [...t.shape], dtype: t.dtype, values };
  }));
}

/** Device tensors of `host` (the caller disposes them). */
export function toTensors(host: readonly HostTensor[]): tf.Tensor[] {
  return host.map((h) => tf.tensor(h.values, h.shape, h.dtype));
}

/**
 * Throws CheckpointMismatchError unless `state` fits `model` (every weight, in order, by shape) and
 * a train set of `n` examples. Changes nothing.
 */
export function checkCheckpointFits(state: LoopCheckpoint, model: tf.LayersModel, n: number): void {
  const weights = model.weights;
  if (weights.length !== state.weights.length) {
    throw new CheckpointMismatchError(`checkpoint has ${state.weights.length} weights, the model ${weights.length}`);
  }
  weights.forEach((w, i) => {
    if (!tf.util.arraysEqual(w.read().shape, state.weights[i].shape)) {
      throw new CheckpointMismatchError(`checkpoint weight ${i} has shape [${state.weights[i].shape}], the model's ${w.name} [${w.read().shape}]`);
    }
  });
  const { perm, pos } = state.sampler;
  if ((perm !== null && perm.length !== n) || pos > n) {
    throw new CheckpointMismatchError(`checkpoint's data order is for ${perm?.length ?? pos} examples, the train set has ${n}`);
  }
}

/** Overwrites every weight of `model` (model.weights order) with `host`; check with checkCheckpointFits first. */
export function restoreWeights(model: tf.LayersModel, host: readonly HostTensor[]): void {
  const weights = model.weights;
  const values = toTensors(host);
  try {
    weights.forEach((w, i) => w.write(values[i]));
  } finally {
    tf.dispose(values);
  }
}

/**
 * Memory flatness of a long run: live tensors, tfjs bytes and process RSS every 100 steps of
 * batchlab's loop (one curve row per 100 steps; rows are where the loop reads losses back).
 */
import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';
import { trainConfig } from './setup.ts';

export interface MemorySample {
  step: number;
  tensors: number;
  tfMB: number;
  rssMB: number;
}

export interface MemoryResult {
  samples: MemorySample[];
  /**
   * Largest live-tensor count minus the count at the first sample. Counts may dip by one at an
   * epoch boundary (the epoch's permutation is freed before the next is drawn); growth is a leak.
   */
  tensorGrowth: number;
  /** RSS at the last sample minus RSS at the second sample (the first steps allocate wasm memory), MB. */
  rssDriftMB: number;
  flat: boolean;
}

/** RSS may wander with the GC; more than this much growth over the run counts as a leak. */
export const RSS_DRIFT_LIMIT_MB = 16;

export async function sampleMemory(model: tf.LayersModel, data: TrainData, batch: number, steps: number, every = 100): Promise<MemoryResult> {
  const samples: MemorySample[] = [];
  const config = trainConfig(batch, steps, { logEvery: every });
  await trainModel({
    model, data, config,
    observers: [{
      onRow: (row) => {
        if (row.step === 0 || row.step % every !== 0) return;
        const m = tf.memory();
        samples.push({ step: row.step, tensors: m.numTensors, tfMB: m.numBytes / 2 ** 20, rssMB: process.memoryUsage().rss / 2 ** 20 });
      },
    }],
  });
  const counts = samples.map((s) => s.tensors);
  const tensorGrowth = Math.max(...counts) - counts[0];
  const rssDriftMB = samples.length > 1 ? samples[samples.length - 1].rssMB - samples[1].rssMB : 0;
  return { samples, tensorGrowth, rssDriftMB, flat: tensorGrowth <= 0 && rssDriftMB < RSS_DRIFT_LIMIT_MB };
}

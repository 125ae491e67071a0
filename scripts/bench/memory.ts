/**
 * Memory flatness of a long run: every 100 steps of batchlab's loop (one curve row per 100
 * steps; rows are where the loop reads losses back), live tensors, tfjs bytes, the wasm heap,
 * the JavaScript heap in use after a full garbage collection, and process RSS.
 *
 * A leak shows as growth in tensors, in the wasm heap or in the post-GC JavaScript heap. RSS is
 * reported but not judged: V8 grows its reserved heap lazily (heapTotal rose ~13 MB over 1,000
 * MLP steps while the live heap stayed put), so RSS can climb with nothing leaking. The benchmark
 * runs with --expose-gc; without it the post-GC heap is not measured and RSS is judged instead.
 */
import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';
import { trainConfig } from './setup.ts';

export interface MemorySample {
  step: number;
  tensors: number;
  tfMB: number;
  /** Size of the wasm backend's heap (it only grows), MB; 0 on other backends. */
  wasmMB: number;
  /** JavaScript heap in use right after a full GC, MB; null without --expose-gc. */
  liveHeapMB: number | null;
  rssMB: number;
}

export interface MemoryResult {
  samples: MemorySample[];
  /**
   * Largest live-tensor count minus the count at the first sample. Counts may dip by one at an
   * epoch boundary (the epoch's permutation is freed before the next is drawn); growth is a leak.
   */
  tensorGrowth: number;
  /** Last minus second sample (the first steps allocate), MB. */
  wasmGrowthMB: number;
  liveHeapDriftMB: number | null;
  rssDriftMB: number;
  flat: boolean;
}

/** Post-GC heap growth above this over the run counts as a leak (a few MB is allocator noise). */
export const LIVE_HEAP_DRIFT_LIMIT_MB = 4;
/** Used only without --expose-gc. */
export const RSS_DRIFT_LIMIT_MB = 16;

const gc = (globalThis as { gc?: () => void }).gc;

function wasmHeapMB(): number {
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? heap.length / 2 ** 20 : 0;
}

export async function sampleMemory(model: tf.LayersModel, data: TrainData, batch: number, steps: number, every = 100): Promise<MemoryResult> {
  const samples: MemorySample[] = [];
  const config = trainConfig(batch, steps, { logEvery: every });
  await trainModel({
    model, data, config,
    observers: [{
      onRow: (row) => {
        if (row.step === 0 || row.step % every !== 0) return;
        gc?.();
        const m = tf.memory();
        const u = process.memoryUsage();
        samples.push({
          step: row.step, tensors: m.numTensors, tfMB: m.numBytes / 2 ** 20, wasmMB: wasmHeapMB(),
          liveHeapMB: gc ? u.heapUsed / 2 ** 20 : null, rssMB: u.rss / 2 ** 20,
        });
      },
    }],
  });
  const counts = samples.map((s) => s.tensors);
  const tensorGrowth = Math.max(...counts) - counts[0];
  const drift = (f: (s: MemorySample) => number) => (samples.length > 1 ? f(samples[samples.length - 1]) - f(samples[1]) : 0);
  const wasmGrowthMB = drift((s) => s.wasmMB);
  const liveHeapDriftMB = gc ? drift((s) => s.liveHeapMB ?? 0) : null;
  const rssDriftMB = drift((s) => s.rssMB);
  const heapOk = liveHeapDriftMB !== null ? liveHeapDriftMB < LIVE_HEAP_DRIFT_LIMIT_MB : rssDriftMB < RSS_DRIFT_LIMIT_MB;
  return { samples, tensorGrowth, wasmGrowthMB, liveHeapDriftMB, rssDriftMB, flat: tensorGrowth <= 0 && wasmGrowthMB <= 0 && heapOk };
}

/** How `flat` was judged, for the report. */
export function flatnessRule(result: MemoryResult): string {
  return result.liveHeapDriftMB !== null
    ? `no tensor or wasm-heap growth, post-GC JS heap drift < ${LIVE_HEAP_DRIFT_LIMIT_MB} MB`
    : `no tensor or wasm-heap growth, RSS drift < ${RSS_DRIFT_LIMIT_MB} MB (run with --expose-gc for the post-GC heap)`;
}

/**
 * A checkpoint holds what resuming needs and where curve.csv ended, not the curve's rows: its size
 * does not grow with the run's length, while curve.csv does.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../src/config/validate.ts';
import { checkpointFileOf } from '../src/results/checkpoint-store.ts';
import { DatasetCache } from '../src/runner/dataset-cache.ts';
import { executeRun } from '../src/runner/execute-run.ts';
import { planSingleRun } from '../src/runner/plan.ts';

/** A tiny model, a row every 10 steps and a checkpoint every 100 steps; the last one is at `steps - 1`. */
function planOf(steps: number) {
  const v = validateSpec({
    backend: 'cpu',
    data: { name: 'blobs', classes: 3, dim: 4, trainSize: 60, testSize: 8 }, // 15 steps per epoch: steps 100 and 10,000 both 10 steps into an epoch
    model: { name: 'mlp', hidden: [4] },
    train: { steps, batchSize: 4, lr: 0.01, logEvery: 10, checkpointEvery: { steps: 100 } },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return planSingleRun(v.spec);
}

describe('checkpoint size', () => {
  const root = mkdtempSync(join(tmpdir(), 'batchlab-ckpt-size-'));
  const datasets = new DatasetCache();
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await datasets.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  /** Sizes in bytes of the checkpoint at step `at` (kept after the run) and of curve.csv. */
  async function sizesAt(at: number): Promise<{ checkpoint: number; curve: number }> {
    const dir = join(root, `steps-${at}`);
    const rec = await executeRun(planOf(at + 1), dir, { datasets, environment: {}, keepCheckpoints: true });
    expect(rec.status).toBe('completed');
    return { checkpoint: statSync(checkpointFileOf(dir)).size, curve: statSync(join(dir, 'curve.csv')).size };
  }

  it('is the same after 100 and after 10,000 steps, within the digits of its counters', async () => {
    const short = await sizesAt(100);
    const long = await sizesAt(10_000);
    // 990 more rows of curve.csv (tens of bytes each) ...
    expect(long.curve - short.curve).toBeGreaterThan(990 * 40);
    // ... and the checkpoint grows by no more than the extra digits of its step, examples, times
    // and curve offset.
    expect(Math.abs(long.checkpoint - short.checkpoint)).toBeLessThan(64);
    expect(long.checkpoint).toBeLessThan(4096);
  }, 120_000);
});

/**
 * A run interrupted mid-way continues from its checkpoint when executed again: its curve.csv,
 * step-losses.csv and run.json end as an uninterrupted run's (timings aside), rows written after the checkpoint (and a
 * torn last line) are dropped, the checkpoint is removed once the run finishes unless kept, and an
 * unreadable checkpoint restarts the run from step 0.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { planSingleRun } from './plan.ts';
import { validateSpec } from '../config/validate.ts';
import { checkpointFileOf, readCheckpoint, writeCheckpoint } from '../results/checkpoint-store.ts';
import type { RunRecord } from '../results/run-record.ts';
import { DatasetCache } from './dataset-cache.ts';
import type { RunConfig } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';
import { executeRun } from './execute-run.ts';

function plan(): PlannedRun<RunConfig> {
  const v = validateSpec({
    backend: 'cpu',
    data: { name: 'blobs', classes: 3, dim: 6, trainSize: 96, testSize: 24 },
    model: { name: 'mlp', hidden: [12], norm: 'batch', dropout: 0.2 },
    optimizer: { name: 'adam' },
    train: { epochs: 3, batchSize: 8, lr: 0.01, logEvery: 2, checkpointEvery: { steps: 4 } },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return planSingleRun(v.spec);
}

const curveOf = (dir: string) => readFileSync(join(dir, 'curve.csv'), 'utf8').trim().split('\n')
  // wall_ms (a timing) is the last curve column here
  .map((line) => line.split(',').slice(0, -1).join(','));
const stepLossesOf = (dir: string) => readFileSync(join(dir, 'step-losses.csv'), 'utf8');
const recordOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;

describe('executeRun resumes from a checkpoint', () => {
  const run = plan();
  const root = mkdtempSync(join(tmpdir(), 'batchlab-resume-'));
  const datasets = new DatasetCache();
  const ctx = { datasets, environment: {} };
  let reference: { curve: string[]; stepLosses: string; final: RunRecord['final'] };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    await datasets.get(run.config.data); // loaded once, outside the leak checks
    const dir = join(root, 'reference');
    const rec = await executeRun(run, dir, ctx);
    expect(rec.status).toBe('completed');
    reference = { curve: curveOf(dir), stepLosses: stepLossesOf(dir), final: rec.final };
    // 3 epochs of 96 examples at batch 8: one row a step.
    expect(reference.stepLosses.trim().split('\n').map((l) => l.split(',')[0])).toEqual(['step', ...Array.from({ length: 36 }, (_, i) => String(i + 1))]);
  });
  afterAll(async () => {
    await datasets.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  useLeakCheck();

  /** Executes the run and aborts it after `step`; returns its folder. */
  async function interrupted(name: string, step: number): Promise<string> {
    const dir = join(root, name);
    const controller = new AbortController();
    const rec = await executeRun(run, dir, {
      ...ctx, signal: controller.signal, onProgress: (_id, p) => { if (p.step >= step) controller.abort(); },
    });
    expect(rec.status).toBe('aborted');
    expect(existsSync(checkpointFileOf(dir))).toBe(true);
    return dir;
  }

  it('continues to the uninterrupted curve and metrics, then removes the checkpoint', async () => {
    const dir = await interrupted('resumed', 10);
    const partial = curveOf(dir);
    expect(partial.length).toBeLessThan(reference.curve.length);
    const steps: number[] = [];
    const rec = await executeRun(run, dir, { ...ctx, onProgress: (_id, p) => { steps.push(p.step); } });
    expect(rec.status).toBe('completed');
    // It went on from the checkpoint (step 10), not from step 0.
    expect(Math.min(...steps)).toBeGreaterThan(10);
    expect(rec.final).toEqual(reference.final);
    expect(curveOf(dir)).toEqual(reference.curve);
    expect(stepLossesOf(dir)).toEqual(reference.stepLosses);
    expect(existsSync(checkpointFileOf(dir))).toBe(false);
  });

  it('drops curve rows written after the checkpoint, and a torn last line, as a kill leaves them', async () => {
    const dir = await interrupted('torn', 6);
    // As if the process had gone on past its checkpoint and died mid-write, leaving run.json `running`.
    const curve = readFileSync(join(dir, 'curve.csv'), 'utf8');
    appendFileSync(join(dir, 'curve.csv'), `${curve.trim().split('\n').at(-1)}\n8,0.66,64,8,0.01,0.5`);
    appendFileSync(join(dir, 'step-losses.csv'), '7,56,0.25\n8,64,0.2');
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...recordOf(dir), status: 'running' }));
    const rec = await executeRun(run, dir, ctx);
    expect(rec.final).toEqual(reference.final);
    expect(curveOf(dir)).toEqual(reference.curve);
    expect(stepLossesOf(dir)).toEqual(reference.stepLosses);
  });

  it('restarts from step 0 when step-losses.csv lacks a step before the checkpoint', async () => {
    const dir = await interrupted('short-steps', 8);
    const lines = stepLossesOf(dir).split('\n');
    writeFileSync(join(dir, 'step-losses.csv'), [...lines.slice(0, 3), ...lines.slice(4)].join('\n')); // step 3 lost
    const steps: number[] = [];
    const rec = await executeRun(run, dir, { ...ctx, onProgress: (_id, p) => { steps.push(p.step); } });
    expect(steps[0]).toBe(0);
    expect(rec.reason).toMatch(/restarted from step 0: .*step-losses\.csv does not hold step 3/);
    expect(stepLossesOf(dir)).toEqual(reference.stepLosses);
  });

  it('keeps the checkpoint of a finished run when asked', async () => {
    const dir = await interrupted('kept', 4);
    const rec = await executeRun(run, dir, { ...ctx, keepCheckpoints: true });
    expect(rec.status).toBe('completed');
    expect(existsSync(checkpointFileOf(dir))).toBe(true);
  });

  it('restarts from step 0 when the checkpoint is corrupt, and says so', async () => {
    const dir = await interrupted('corrupt', 8);
    const bytes = readFileSync(checkpointFileOf(dir));
    bytes[bytes.length - 5] ^= 0xff; // one flipped byte in the weights
    writeFileSync(checkpointFileOf(dir), bytes);
    const steps: number[] = [];
    const rec = await executeRun(run, dir, { ...ctx, onProgress: (_id, p) => { steps.push(p.step); } });
    expect(rec.status).toBe('completed');
    expect(steps[0]).toBe(0);
    expect(rec.reason).toMatch(/restarted from step 0: .*checksum/);
    expect(rec.final).toEqual(reference.final);
    expect(curveOf(dir)).toEqual(reference.curve);
  });

  it('cuts curve.csv back to the length the checkpoint noted, and restarts from step 0 when the curve is shorter', async () => {
    const dir = await interrupted('short-curve', 8);
    const stored = (await readCheckpoint(dir, run.runId))!;
    const curve = readFileSync(join(dir, 'curve.csv'));
    expect(stored.curveLength).toBe(curve.length); // aborted right after the checkpoint's row
    // As if the rows before the checkpoint had been lost (say, curve.csv replaced by its header).
    writeFileSync(join(dir, 'curve.csv'), curve.subarray(0, curve.indexOf('\n') + 1));
    const steps: number[] = [];
    const rec = await executeRun(run, dir, { ...ctx, onProgress: (_id, p) => { steps.push(p.step); } });
    expect(steps[0]).toBe(0);
    expect(rec.reason).toMatch(/restarted from step 0: .*curve\.csv has \d+ bytes, the checkpoint's curve \d+/);
    expect(rec.final).toEqual(reference.final);
    expect(curveOf(dir)).toEqual(reference.curve);
  });

  it('restarts from step 0 when the checkpoint does not fit the model, and says so', async () => {
    const dir = await interrupted('mismatch', 8);
    const stored = (await readCheckpoint(dir, run.runId))!;
    // As a checkpoint of a model with one weight fewer (another batchlab version) would be.
    await writeCheckpoint(dir, { ...stored, state: { ...stored.state, weights: stored.state.weights.slice(1) } });
    const steps: number[] = [];
    const rec = await executeRun(run, dir, { ...ctx, onProgress: (_id, p) => { steps.push(p.step); } });
    expect(rec.status).toBe('completed');
    expect(steps[0]).toBe(0);
    expect(rec.reason).toMatch(/restarted from step 0: checkpoint has \d+ weights, the model \d+/);
    expect(rec.final).toEqual(reference.final);
    expect(curveOf(dir)).toEqual(reference.curve);
  });
});

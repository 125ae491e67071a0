/**
 * Checkpoints: a run resumed from a checkpoint taken at any step gives the same curve rows (wall
 * time aside) and bit-identical weights as the uninterrupted run, on cpu, wasm and native (1 thread), with BatchNorm,
 * GhostBatchNorm and GroupNorm, dropout, SGD momentum and Adam, LR and batch-size schedules,
 * accumulation and gradient statistics. Saving a checkpoint changes nothing about the run, and
 * save/restore own every tensor they make.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { loadNativeAddon, NATIVE_PACKAGES } from '../backend/native/addon.ts';
import { registerWasmTrainingKernels } from '../backend/wasm-kernels/index.ts';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { requireSystem } from '../../test/support/require-system.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { loadDataset, type Dataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { readCheckpoint, writeCheckpoint } from '../results/checkpoint-store.ts';
import { readRunRandom, restoreRunRandom, seedRunRandom, type RandomState } from '../runner/run-random.ts';
import { disposeTrainEval, withTrainEval } from '../runner/train-data.ts';
import type { LoopCheckpoint } from './checkpoint-state.ts';
import { trainModel } from './loop.ts';
import type { CurveRow, StepLossRow, TrainData } from './types.ts';

const nativeLoad = loadNativeAddon();
const skipNative = requireSystem(NATIVE_PACKAGES, nativeLoad.ok);

type Row = Omit<CurveRow, 'wall_ms'>;
/** A checkpoint, the run's Math.random state, and the curve rows and step losses stored up to it (as curve.csv and step-losses.csv hold them). */
interface Saved { state: LoopCheckpoint; random: RandomState | null; rows: Row[]; steps: StepLossRow[] }
interface Outcome { rows: Row[]; steps: StepLossRow[]; weights: number[][]; saved: Saved[]; status: string }

const DATA = { name: 'blobs', classes: 4, dim: 6, trainSize: 72, testSize: 24 } as const;

const CASES: Record<string, Record<string, unknown>> = {
  'BatchNorm, dropout, Nesterov SGD, LR and batch schedules, accumulation': {
    model: { name: 'mlp', hidden: [16, 8], norm: 'batch', dropout: 0.3 },
    optimizer: { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
    train: {
      epochs: 4, batchSize: 8, accumulation: 2, lr: 0.05, logEvery: 1, evalEvery: 4,
      schedule: { name: 'step', milestones: [2], warmupEpochs: 1 }, batchSchedule: { milestones: [3], factor: 2 },
    },
  },
  'GhostBatchNorm and Adam': {
    model: { name: 'mlp', hidden: [16], norm: 'batch', ghostBatchSize: 4 },
    optimizer: { name: 'adam' },
    train: { epochs: 3, batchSize: 12, lr: 0.01, logEvery: 1, schedule: { name: 'cosine' } },
  },
  'GroupNorm, dropout and gradient statistics': {
    model: { name: 'mlp', hidden: [16, 8], norm: 'group', groups: 4, dropout: 0.2 },
    optimizer: { name: 'sgd', momentum: 0.5 },
    train: {
      epochs: 3, batchSize: 8, lr: 0.05, logEvery: 2,
      noiseScale: { every: 3, smallBatch: 4, bigBatch: 16 }, gradVariance: { every: 4, samples: 2, referenceSize: 32 },
    },
  },
};

function configOf(spec: Record<string, unknown>): RunConfig {
  const v = validateSpec({ data: DATA, ...spec });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

const bits = (w: tf.Tensor) => Array.from(new Uint32Array((w.dataSync() as Float32Array).slice().buffer));

/**
 * One run (or the rest of one, from `resume`), as execute-run does it: Math.random seeded from the
 * run seed and continued from the checkpoint's state. `abortAt` stops the run after that step's row.
 */
async function train(
  data: TrainData, spec: Record<string, unknown>,
  opts: { every?: number; resume?: Saved; abortAt?: number; keepRandom?: boolean } = {},
): Promise<Outcome> {
  const config = configOf(spec);
  const seed = config.train.seed;
  seedRunRandom(seed);
  const model = buildModel(config.model as ModelConfig, data.trainX.shape.slice(1), data.trainY.shape[1]!, seed);
  if (opts.resume?.random && !opts.keepRandom) restoreRunRandom(opts.resume.random);
  const rows: Row[] = opts.resume ? [...opts.resume.rows] : [];
  const steps: StepLossRow[] = opts.resume ? [...opts.resume.steps] : [];
  const saved: Saved[] = [];
  const controller = new AbortController();
  try {
    const result = await trainModel({
      model, data, config, signal: controller.signal, resume: opts.resume?.state,
      observers: [{
        onStepLosses: (r) => { steps.push(...r); },
        onRow: ({ wall_ms: _, ...r }) => {
          rows.push(r);
          if (opts.abortAt !== undefined && r.step >= opts.abortAt) controller.abort();
        },
      }],
      checkpoint: opts.every === undefined ? undefined : {
        every: { steps: opts.every },
        save: async (state) => { saved.push({ state, random: readRunRandom(), rows: [...rows], steps: [...steps] }); },
      },
    });
    return { rows, steps, weights: model.weights.map((w) => bits(w.read())), saved, status: result.status };
  } finally {
    model.dispose();
  }
}

/** The rows of an uninterrupted run that a resumed run must reproduce exactly. */
function expectSameRun(resumed: Outcome, full: Outcome): void {
  expect(resumed.status).toBe('completed');
  expect(resumed.rows).toEqual(full.rows);
  expect(resumed.steps).toEqual(full.steps);
  expect(resumed.weights).toEqual(full.weights);
}

// native: at 1 thread, where its kernels are deterministic; skipped when the addon is not built.
for (const backend of ['cpu', 'wasm', 'native'] as const) {
  describe.skipIf(backend === 'native' && skipNative)(`checkpoints on ${backend}`, () => {
    let dataset: Dataset;
    let data: TrainData;
    let tensorsAtStart = 0;
    let dir: string;

    beforeAll(async () => {
      if (backend === 'native') {
        expect((await initBackend('native')).name).toBe('native');
        if (nativeLoad.ok) nativeLoad.addon.setThreads(1);
      } else {
        expect(await tf.setBackend(backend)).toBe(true);
      }
      if (backend === 'wasm') registerWasmTrainingKernels();
      dataset = await loadDataset(configOf({ train: { epochs: 1 } }).data as Parameters<typeof loadDataset>[0]);
      data = withTrainEval(dataset);
      tensorsAtStart = tf.memory().numTensors;
      dir = mkdtempSync(join(tmpdir(), 'batchlab-ckpt-'));
    });
    afterAll(() => {
      if (backend === 'native' && nativeLoad.ok) nativeLoad.addon.setThreads(nativeLoad.threads);
      if (!data) return;
      expect(tf.memory().numTensors, 'tensors leaked across save and restore').toBe(tensorsAtStart);
      disposeTrainEval(data);
      dataset.dispose();
      rmSync(dir, { recursive: true, force: true });
    });
    useLeakCheck(); // every test: training, saving and restoring own all they make

    for (const [name, spec] of Object.entries(CASES)) {
      it(`${name}: resuming from any of several steps continues bit-identically`, async () => {
        const before = tf.memory().numTensors;
        const plain = await train(data, spec);
        const full = await train(data, spec, { every: 1 });
        expect(tf.memory().numTensors).toBe(before);
        // Saving checkpoints changes nothing about the run.
        expect(full.rows).toEqual(plain.rows);
        expect(full.steps).toEqual(plain.steps);
        expect(full.weights).toEqual(plain.weights);
        // One loss per step, in order, ending at the last row's step.
        expect(full.steps.map((r) => r.step)).toEqual(Array.from({ length: full.rows.at(-1)!.step }, (_, i) => i + 1));
        expect(full.saved.length).toBeGreaterThan(10);
        // First, early, mid-run (epoch ends included), last.
        const picks = [0, 1, 3, Math.floor(full.saved.length / 2), full.saved.length - 2, full.saved.length - 1];
        for (const i of new Set(picks)) {
          const resumed = await train(data, spec, { resume: full.saved[i] });
          expectSameRun(resumed, full);
        }
        expect(tf.memory().numTensors).toBe(before);
      }, 60_000);
    }

    it('a chain of aborts, each resumed from the checkpoint file, gives the uninterrupted run', async () => {
      const spec = CASES['BatchNorm, dropout, Nesterov SGD, LR and batch schedules, accumulation'];
      const before = tf.memory().numTensors;
      const full = await train(data, spec);
      let resume: Saved | undefined;
      for (const stop of [3, 4, 11, 20, 29]) {
        // Every 5 steps and on abort: the chain also resumes from checkpoints older than the stop.
        const part = await train(data, spec, { every: 5, resume, abortAt: stop });
        expect(part.status).toBe('aborted');
        const last = part.saved.at(-1)!;
        expect(last.state.step).toBe(stop);
        await writeCheckpoint(dir, { runId: 'r1', random: last.random, curveLength: 0, state: last.state });
        const back = await readCheckpoint(dir, 'r1');
        expect(back!.state).toEqual(last.state);
        resume = { state: back!.state, random: back!.random as RandomState, rows: last.rows, steps: last.steps };
      }
      expectSameRun(await train(data, spec, { resume }), full);
      expect(tf.memory().numTensors).toBe(before);
    }, 60_000);

    it('the checkpoint must carry the dropout stream: without it the resumed run differs', async () => {
      const spec = CASES['BatchNorm, dropout, Nesterov SGD, LR and batch schedules, accumulation'];
      const full = await train(data, spec, { every: 1 });
      const resumed = await train(data, spec, { resume: full.saved[5], keepRandom: true });
      expect(resumed.weights).not.toEqual(full.weights);
    }, 60_000);
  });
}

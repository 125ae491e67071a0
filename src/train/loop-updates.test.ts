/**
 * What the loop applies to the weights: the scheduled LR (measured from the weight change of
 * each plain-SGD step against an independently computed gradient), accumulation of micro-batch
 * gradients, and the mean/sum reduction equivalence (mean with LR eta*B == sum with LR eta).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBlobsTrainData } from '../../test/support/blobs-train-data.ts';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { planLrSchedule } from '../core/schedule.ts';
import type { Dataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { EpochSampler } from './batches.ts';
import { trainModel } from './loop.ts';
import type { CurveRow, TrainData } from './types.ts';

const N = 40; // train examples
const D = 5; // features
const C = 3; // classes

/** A full run config from a small override object (defaults fill the rest). */
function configOf(spec: Record<string, unknown>): RunConfig {
  const v = validateSpec({ data: { name: 'blobs' }, ...spec });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

const weightsOf = (model: tf.LayersModel): Float64Array[] =>
  model.getWeights().map((w) => Float64Array.from(w.dataSync()));

let dataset: Dataset;
let data: TrainData;

useLeakCheck('all');
useBlobsTrainData({ classes: C, dim: D, spread: 1, trainSize: N, testSize: 16, seed: 3 }, (d, ds) => {
  data = d;
  dataset = ds;
});

/** Gradient of the mean softmax cross-entropy of a linear model (kernel [D,C], bias [C]) in float64. */
function linearCeGrad(w: Float64Array[], x: Float32Array, y: Float32Array, rows: Int32Array): Float64Array[] {
  const [kernel, bias] = w;
  const gk = new Float64Array(D * C);
  const gb = new Float64Array(C);
  for (const r of rows) {
    const logits = Array.from({ length: C }, (_, c) => {
      let z = bias[c];
      for (let d = 0; d < D; d++) z += x[r * D + d] * kernel[d * C + c];
      return z;
    });
    const top = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - top));
    const total = e.reduce((a, b) => a + b, 0);
    for (let c = 0; c < C; c++) {
      const dz = (e[c] / total - y[r * C + c]) / rows.length;
      gb[c] += dz;
      for (let d = 0; d < D; d++) gk[d * C + c] += x[r * D + d] * dz;
    }
  }
  return [gk, gb];
}

describe('the LR the loop applies', () => {
  // 40 examples at B = 12: 3 steps per epoch (4 examples dropped), so a step starts at epochs
  // 0, 0.3, 0.6, 1, 1.3, ...; warmup over the first epoch, then halvings at 1.5 and 2.5 epochs.
  const B = 12;
  const STEPS_PER_EPOCH = 3;
  const EPOCHS = 3;
  const sched = { name: 'step', milestones: [1.5, 2.5], gamma: 0.5, warmupEpochs: 1, warmupFrom: 0.02 };
  const PEAK = 0.2;

  /** The schedule written out by hand. */
  const handLr = (epoch: number) =>
    epoch < 1 ? 0.02 + (PEAK - 0.02) * epoch : PEAK * 0.5 ** sched.milestones.filter((m) => epoch >= m).length;
  /** Epochs completed before 0-based update s (the dropped tail makes each epoch 3 steps). */
  const handEpoch = (s: number) => Math.floor(s / STEPS_PER_EPOCH) + ((s % STEPS_PER_EPOCH) * B) / N;

  it('logs and applies planLrSchedule at every step (plain SGD, linear model)', async () => {
    const config = configOf({
      model: { name: 'mlp', hidden: [] },
      optimizer: { name: 'sgd' },
      train: { batchSize: B, lr: PEAK, epochs: EPOCHS, logEvery: 1, seed: 5, schedule: sched },
    });
    const model = buildModel(config.model as ModelConfig, [D], C, 4);
    const rows: CurveRow[] = [];
    const snapshots = new Map<number, Float64Array[]>(); // weights after `step` updates
    snapshots.set(0, weightsOf(model));
    const result = await trainModel({
      model, data, config,
      observers: [{ onRow: (r) => { rows.push(r); if (!snapshots.has(r.step)) snapshots.set(r.step, weightsOf(model)); } }],
    });
    model.dispose();
    const steps = EPOCHS * STEPS_PER_EPOCH;
    expect(result.status).toBe('completed');
    expect(result.steps).toBe(steps);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: steps + 1 }, (_, s) => s));

    const lrAt = planLrSchedule(config.train.schedule, PEAK);
    const x = data.trainX.dataSync() as Float32Array;
    const y = data.trainY.dataSync() as Float32Array;
    const replica = new EpochSampler(N, config.train.seed); // same seed, same draws as the loop's
    const applied: number[] = [];
    for (let s = 0; s < steps; s++) {
      if (replica.exhausted(B)) replica.endEpoch();
      const epoch = replica.epochFloat;
      expect(epoch).toBeCloseTo(handEpoch(s), 12);
      const want = handLr(handEpoch(s));
      expect(lrAt({ step: s, epoch, progress: s / steps })).toBeCloseTo(want, 12);
      // The row after update s+1 reports the LR of that update; row 0 the LR of the first one.
      expect(rows[s + 1].lr).toBeCloseTo(want, 12);
      if (s === 0) expect(rows[0].lr).toBeCloseTo(want, 12);

      const idxT = replica.next(B);
      const idx = idxT.dataSync() as Int32Array;
      idxT.dispose();
      const g = linearCeGrad(snapshots.get(s)!, x, y, idx);
      const before = snapshots.get(s)!;
      const after = snapshots.get(s + 1)!;
      // Least-squares LR of delta = -lr * g over every parameter, and the residual of that fit.
      let dg = 0;
      let gg = 0;
      before.forEach((w, i) => w.forEach((wj, j) => { dg += (after[i][j] - wj) * g[i][j]; gg += g[i][j] ** 2; }));
      const lr = -dg / gg;
      let res = 0;
      before.forEach((w, i) => w.forEach((wj, j) => { res += (after[i][j] - wj + lr * g[i][j]) ** 2; }));
      expect(Math.sqrt(res) / (lr * Math.sqrt(gg))).toBeLessThan(1e-4);
      expect(Math.abs(lr - want) / want).toBeLessThan(1e-4);
      applied.push(lr);
    }
    replica.dispose();
    // The schedule's shape is really visible in the applied LRs: warmup, peak, two halvings.
    expect(applied[0]).toBeCloseTo(0.02, 5);
    expect(applied[3]).toBeCloseTo(0.2, 5);
    expect(applied[5]).toBeCloseTo(0.1, 5);
    expect(applied[8]).toBeCloseTo(0.05, 5);
  });
});

/** Final weights of a 5-8-3 tanh MLP after `steps` updates with `train` settings. */
async function trainedWeights(
  train: Record<string, unknown>, optimizer: Record<string, unknown>, reduction: 'mean' | 'sum',
): Promise<{ w0: Float64Array[]; w: Float64Array[] }> {
  const config = configOf({
    model: { name: 'mlp', hidden: [8], activation: 'tanh' },
    optimizer,
    loss: { reduction },
    train: { steps: 6, seed: 2, ...train },
  });
  const model = buildModel(config.model as ModelConfig, [D], C, 9);
  const w0 = weightsOf(model);
  const result = await trainModel({ model, data, config });
  const w = weightsOf(model);
  model.dispose();
  expect(result.status).toBe('completed');
  expect(result.steps).toBe(6);
  return { w0, w };
}

/** max |a - b| over every parameter, relative to max |b|; and relative to the largest update. */
function compare(a: Float64Array[], b: Float64Array[], b0: Float64Array[]): { rel: number; relMove: number } {
  let diff = 0;
  let scale = 0;
  let move = 0;
  b.forEach((bi, i) => bi.forEach((v, j) => {
    diff = Math.max(diff, Math.abs(a[i][j] - v));
    scale = Math.max(scale, Math.abs(v));
    move = Math.max(move, Math.abs(v - b0[i][j]));
  }));
  return { rel: diff / scale, relMove: diff / move };
}

describe('gradient accumulation and loss reduction', () => {
  const B = 16; // 2 steps per epoch at N = 40, so 6 steps cross epochs
  const OPTIMIZERS = [
    { label: 'plain SGD', spec: { name: 'sgd' } },
    { label: 'momentum SGD', spec: { name: 'sgd', momentum: 0.9 } },
  ];

  for (const opt of OPTIMIZERS) {
    for (const reduction of ['mean', 'sum'] as const) {
      it(`${opt.label}, ${reduction}: k micro-batches of B/k equal one batch of B`, async () => {
        const lr = reduction === 'mean' ? 0.5 : 0.5 / B;
        const one = await trainedWeights({ batchSize: B, lr, accumulation: 1 }, opt.spec, reduction);
        for (const k of [2, 4]) {
          const acc = await trainedWeights({ batchSize: B, lr, accumulation: k }, opt.spec, reduction);
          const { rel, relMove } = compare(acc.w, one.w, one.w0);
          expect(rel).toBeLessThan(1e-5);
          expect(relMove).toBeLessThan(1e-5);
        }
      });
    }

    it(`${opt.label}: mean reduction at LR eta*B equals sum reduction at LR eta`, async () => {
      const eta = 0.03;
      const mean = await trainedWeights({ batchSize: B, lr: eta * B }, opt.spec, 'mean');
      const sum = await trainedWeights({ batchSize: B, lr: eta }, opt.spec, 'sum');
      const { rel, relMove } = compare(mean.w, sum.w, sum.w0);
      expect(rel).toBeLessThan(1e-5);
      expect(relMove).toBeLessThan(1e-5);
      // Not trivially equal: the weights moved far more than the tolerance, and mean at LR eta differs.
      const other = await trainedWeights({ batchSize: B, lr: eta }, opt.spec, 'mean');
      expect(compare(other.w, sum.w, sum.w0).relMove).toBeGreaterThan(0.5);
    });
  }
});

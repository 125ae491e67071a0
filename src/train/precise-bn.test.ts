/**
 * Precise BN: the statistics put in place are the population mean and biased variance of each
 * BN layer's input, computed in order (the second layer sees the first one's recomputed
 * statistics), checked against a float64 forward pass written out by hand; the moving statistics
 * come back afterwards; no tensor leaks; the loop reports the precise-BN metrics.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBlobsTrainData } from '../../test/support/blobs-train-data.ts';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import type { Dataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { evaluate } from './evaluate.ts';
import { trainModel } from './loop.ts';
import { batchNormLayers, withPreciseBn } from './precise-bn.ts';
import type { TrainData } from './types.ts';

const N = 48;
const D = 5;
const H = [8, 6];
const C = 3;
const EPS = 1e-5;

function configOf(spec: Record<string, unknown>): RunConfig {
  const v = validateSpec({ data: { name: 'blobs' }, ...spec });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

const host = (t: tf.Tensor) => Float64Array.from(t.dataSync());
const weightsOf = (model: tf.LayersModel, name: string) => model.getLayer(name).getWeights().map(host);

/** Column means and biased variances of rows [n, w]. */
function columnStats(rows: number[][]): { mean: number[]; variance: number[] } {
  const n = rows.length;
  const w = rows[0].length;
  const mean = Array.from({ length: w }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const variance = Array.from({ length: w }, (_, j) => rows.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n);
  return { mean, variance };
}

/** Population statistics of both BN layers of dense -> BN -> relu -> dense -> BN -> relu -> dense, in float64. */
function referenceStats(model: tf.LayersModel, x: tf.Tensor): { mean: number[]; variance: number[] }[] {
  const xs = host(x);
  const n = x.shape[0];
  const rowsOf = (flat: Float64Array, w: number) => Array.from({ length: n }, (_, r) => Array.from(flat.subarray(r * w, (r + 1) * w)));
  const matmul = (a: number[][], k: Float64Array, out: number) => a.map((row) =>
    Array.from({ length: out }, (_, j) => row.reduce((s, v, d) => s + v * k[d * out + j], 0)));
  const h1 = matmul(rowsOf(xs, D), weightsOf(model, 'dense1')[0], H[0]);
  const s1 = columnStats(h1);
  const [g1, b1] = weightsOf(model, 'norm1');
  const a1 = h1.map((row) => row.map((v, j) => Math.max(0, g1[j] * (v - s1.mean[j]) / Math.sqrt(s1.variance[j] + EPS) + b1[j])));
  const h2 = matmul(a1, weightsOf(model, 'dense2')[0], H[1]);
  return [s1, columnStats(h2)];
}

let dataset: Dataset;
let data: TrainData;

useLeakCheck('all');
useBlobsTrainData({ classes: C, dim: D, spread: 1.5, trainSize: N, testSize: 24, seed: 3 }, (d, ds) => {
  data = d;
  dataset = ds;
});
useLeakCheck();

async function trainedModel(extra: Record<string, unknown> = {}): Promise<tf.LayersModel> {
  const config = configOf({ model: { name: 'mlp', hidden: H, norm: 'batch' }, train: { epochs: 1, batchSize: 8, lr: 0.2 }, ...extra });
  const model = buildModel(config.model as ModelConfig, [D], C, 4);
  const result = await trainModel({ model, data, config });
  expect(result.status).toBe('completed');
  return model;
}

describe('withPreciseBn', () => {
  it('puts the population statistics of each BN input in place, in order, and restores the moving ones', async () => {
    const model = await trainedModel();
    try {
      const moving = ['norm1', 'norm2'].map((n) => weightsOf(model, n).slice(2));
      const want = referenceStats(model, data.trainX);
      const seen = await withPreciseBn(model, data.trainX, 10 * N, 7, 1, async () =>
        ['norm1', 'norm2'].map((n) => weightsOf(model, n).slice(2)));
      seen.forEach(([mean, variance], i) => {
        mean.forEach((m, j) => expect(m).toBeCloseTo(want[i].mean[j], 4));
        variance.forEach((v, j) => expect(v).toBeCloseTo(want[i].variance[j], 4));
        // Not the moving averages: the check above could not pass by accident.
        expect(Math.max(...mean.map((m, j) => Math.abs(m - moving[i][0][j])))).toBeGreaterThan(1e-3);
      });
      ['norm1', 'norm2'].forEach((n, i) => {
        expect(weightsOf(model, n).slice(2)).toEqual(moving[i]);
      });
    } finally {
      model.dispose();
    }
  });

  it('restores the moving statistics when the evaluation throws', async () => {
    const model = await trainedModel();
    try {
      const moving = weightsOf(model, 'norm1').slice(2);
      await expect(withPreciseBn(model, data.trainX, N, 16, 1, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
      expect(weightsOf(model, 'norm1').slice(2)).toEqual(moving);
    } finally {
      model.dispose();
    }
  });

  it('finds the BN layers of a model and none in a model without BN', () => {
    const bn = buildModel({ name: 'mlp', hidden: H, activation: 'relu', dropout: 0, norm: 'batch', groups: 1, ghostBatchSize: 4 }, [D], C, 1);
    const plain = buildModel({ name: 'mlp', hidden: H, activation: 'relu', dropout: 0, norm: 'none', groups: 1 }, [D], C, 1);
    try {
      expect(batchNormLayers(bn).map((l) => l.name)).toEqual(['norm1', 'norm2']);
      expect(batchNormLayers(plain)).toEqual([]);
    } finally {
      bn.dispose();
      plain.dispose();
    }
  });
});

describe('train.preciseBn in the loop', () => {
  it('reports test and train accuracy with recomputed statistics beside the moving-statistics ones', async () => {
    const config = configOf({ model: { name: 'mlp', hidden: H, norm: 'batch' }, train: { epochs: 1, batchSize: 8, lr: 0.2, preciseBn: { examples: 4 * N } } });
    const model = buildModel(config.model as ModelConfig, [D], C, 4);
    try {
      const result = await trainModel({ model, data, config });
      expect(result.status).toBe('completed');
      const direct = await withPreciseBn(model, data.trainX, 4 * N, 1000, config.train.seed, () =>
        evaluate(model, data.testX, data.testY, 'classification', 1000));
      expect(result.final.precise_bn_test_acc).toBeCloseTo(direct.acc!, 10);
      expect(result.final.precise_bn_test_loss).toBeCloseTo(direct.loss, 6);
      expect(result.final.precise_bn_train_acc).toBeGreaterThan(0);
      expect(result.final.test_acc).not.toBeNull();
    } finally {
      model.dispose();
    }
  });

  it('is off by default', () => {
    const config = configOf({ model: { name: 'mlp', hidden: H, norm: 'batch' }, train: { epochs: 1, batchSize: 8 } });
    expect(config.train.preciseBn).toBeUndefined();
  });
});

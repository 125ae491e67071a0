/**
 * Evaluation: inference mode (BatchNorm moving statistics, checked against a float64 forward pass
 * written out by hand), no side effects on the model, chunking, and which rows of the loop carry
 * evaluations and on which examples (the fixed train subset and the test set).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBlobsTrainData } from '../../test/support/blobs-train-data.ts';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { loadDataset, type Dataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { disposeTrainEval, withTrainEval } from '../runner/train-data.ts';
import { evaluate } from './evaluate.ts';
import { trainModel } from './loop.ts';
import type { CurveRow, TrainData } from './types.ts';

const N = 40;
const D = 5;
const H = 8;
const C = 3;
const EPS = 1e-5; // the models' BatchNorm epsilon

function configOf(spec: Record<string, unknown>): RunConfig {
  const v = validateSpec({ data: { name: 'blobs' }, ...spec });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

const BN_MLP = { name: 'mlp', hidden: [H], norm: 'batch' };

const host = (t: tf.Tensor) => Float64Array.from(t.dataSync());
const layerWeights = (model: tf.LayersModel, name: string) => model.getLayer(name).getWeights().map(host);
const movingStats = (model: tf.LayersModel) => layerWeights(model, 'norm1').slice(2);

/**
 * Mean softmax cross-entropy and accuracy of dense -> BN -> relu -> dense on x [n, D], in float64.
 * BN uses the moving statistics (inference) or the statistics of x itself (training mode).
 */
function referenceEval(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, mode: 'inference' | 'batch'): { loss: number; acc: number } {
  const [k1] = layerWeights(model, 'dense1');
  const [gamma, beta, movMean, movVar] = layerWeights(model, 'norm1');
  const [k2, b2] = layerWeights(model, 'logits');
  const xs = host(x);
  const ys = host(y);
  const n = x.shape[0];
  const h = new Float64Array(n * H);
  for (let r = 0; r < n; r++) for (let j = 0; j < H; j++) {
    let z = 0;
    for (let d = 0; d < D; d++) z += xs[r * D + d] * k1[d * H + j];
    h[r * H + j] = z;
  }
  let mean = movMean;
  let variance = movVar;
  if (mode === 'batch') {
    mean = new Float64Array(H).map((_, j) => { let s = 0; for (let r = 0; r < n; r++) s += h[r * H + j]; return s / n; });
    variance = new Float64Array(H).map((_, j) => { let s = 0; for (let r = 0; r < n; r++) s += (h[r * H + j] - mean[j]) ** 2; return s / n; });
  }
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const a = Array.from({ length: H }, (_, j) => Math.max(0, gamma[j] * (h[r * H + j] - mean[j]) / Math.sqrt(variance[j] + EPS) + beta[j]));
    const logits = Array.from({ length: C }, (_, c) => a.reduce((s, v, j) => s + v * k2[j * C + c], b2[c]));
    const top = Math.max(...logits);
    const logZ = top + Math.log(logits.reduce((s, z) => s + Math.exp(z - top), 0));
    const label = Array.from({ length: C }, (_, c) => ys[r * C + c]).indexOf(1);
    loss += logZ - logits[label];
    if (logits.indexOf(top) === label) correct += 1;
  }
  return { loss: loss / n, acc: correct / n };
}

let dataset: Dataset;
let data: TrainData;

useLeakCheck('all');
useBlobsTrainData({ classes: C, dim: D, spread: 1.5, trainSize: N, testSize: 24, seed: 2 }, (d, ds) => {
  data = d;
  dataset = ds;
});
useLeakCheck();

/** A BN MLP trained for 2 epochs at B = 12 (so its moving statistics are far from their init). */
async function trainedBnModel(d: TrainData = data): Promise<{ model: tf.LayersModel; rows: CurveRow[] }> {
  const config = configOf({ model: BN_MLP, train: { epochs: 2, batchSize: 12, lr: 0.2, logEvery: 1 } });
  const model = buildModel(config.model as ModelConfig, [D], C, 6);
  const rows: CurveRow[] = [];
  const result = await trainModel({ model, data: d, config, observers: [{ onRow: (r) => { rows.push(r); } }] });
  expect(result.status).toBe('completed');
  return { model, rows };
}

describe('evaluate', () => {
  it('runs in inference mode: matches a float64 forward pass with the moving statistics', async () => {
    const { model } = await trainedBnModel();
    try {
      const got = await evaluate(model, data.testX, data.testY, 'classification', 1000);
      const want = referenceEval(model, data.testX, data.testY, 'inference');
      expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-5);
      expect(got.acc).toBe(want.acc);
      // The check can tell the modes apart: batch statistics give a visibly different loss.
      const batchMode = referenceEval(model, data.testX, data.testY, 'batch');
      expect(Math.abs(batchMode.loss - want.loss) / want.loss).toBeGreaterThan(1e-3);
    } finally {
      model.dispose();
    }
  });

  it('has no side effects: twice gives identical results, moving statistics untouched, any chunk size', async () => {
    const { model } = await trainedBnModel();
    try {
      const stats = movingStats(model);
      const weights = model.getWeights().map(host);
      const first = await evaluate(model, data.testX, data.testY, 'classification', 1000);
      const second = await evaluate(model, data.testX, data.testY, 'classification', 1000);
      expect(second).toEqual(first);
      expect(movingStats(model)).toEqual(stats);
      expect(model.getWeights().map(host)).toEqual(weights);
      // Chunks of 7 (the last one partial) sum to the same totals.
      const chunked = await evaluate(model, data.testX, data.testY, 'classification', 7);
      expect(Math.abs(chunked.loss - first.loss) / first.loss).toBeLessThan(1e-6);
      expect(chunked.acc).toBe(first.acc);
    } finally {
      model.dispose();
    }
  });

  it('regression: mean squared error over outputs, no accuracy', async () => {
    const teacher = await loadDataset({ name: 'teacher', inputDim: 4, outputDim: 2, hidden: 6, noise: 0.1, trainSize: 8, testSize: 30, seed: 1 });
    const model = buildModel({ name: 'mlp', hidden: [6], activation: 'tanh', dropout: 0, norm: 'none', groups: 1 }, [4], 2, 3);
    try {
      const got = await evaluate(model, teacher.testX, teacher.testY, 'regression', 11);
      const out = model.predict(teacher.testX) as tf.Tensor;
      const p = host(out);
      out.dispose();
      const t = host(teacher.testY);
      const want = p.reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / p.length; // mean over examples and outputs
      expect(got.acc).toBeNull();
      expect(Math.abs(got.loss - want) / want).toBeLessThan(1e-5);
    } finally {
      model.dispose();
      teacher.dispose();
    }
  });
});

describe('evaluation rows of the loop', () => {
  it('epoch-end rows carry train-eval and test metrics, other rows none', async () => {
    const { model, rows } = await trainedBnModel();
    model.dispose();
    const metrics = (r: CurveRow) => [r.train_eval_loss, r.train_eval_acc, r.test_loss, r.test_acc];
    for (const r of rows) {
      if (Number.isInteger(r.epoch)) {
        for (const m of metrics(r)) expect(m).toEqual(expect.any(Number));
        expect(r.test_acc).toBeGreaterThanOrEqual(0);
        expect(r.test_acc).toBeLessThanOrEqual(1);
      } else {
        expect(metrics(r)).toEqual([null, null, null, null]);
      }
    }
    expect(rows.filter((r) => r.test_loss !== null).map((r) => r.epoch)).toEqual([0, 1, 2]);
  });

  it('train-eval metrics come from the fixed subset, test metrics from the test set', async () => {
    // A subset that is not the train set: test inputs with their labels moved one class on.
    const shiftedY = tf.tidy(() => tf.concat([tf.slice(data.testY, [0, 1], [-1, C - 1]), tf.slice(data.testY, [0, 0], [-1, 1])], 1));
    const d: TrainData = { ...data, trainEvalX: data.testX, trainEvalY: shiftedY };
    const { model, rows } = await trainedBnModel(d);
    try {
      const last = rows.at(-1)!;
      const sub = await evaluate(model, data.testX, shiftedY, 'classification', 1000);
      const test = await evaluate(model, data.testX, data.testY, 'classification', 1000);
      const full = await evaluate(model, data.trainX, data.trainY, 'classification', 1000);
      expect([last.train_eval_loss, last.train_eval_acc]).toEqual([sub.loss, sub.acc]);
      expect([last.test_loss, last.test_acc]).toEqual([test.loss, test.acc]);
      expect(Math.abs(full.loss - sub.loss)).toBeGreaterThan(0.1);
    } finally {
      model.dispose();
      shiftedY.dispose();
    }
  });

  it('the fixed subset has the test set\'s size, holds train rows and is the same every time', () => {
    const again = withTrainEval(dataset);
    try {
      expect(again.trainEvalX.shape).toEqual([24, D]);
      expect(host(again.trainEvalX)).toEqual(host(data.trainEvalX));
      const train = host(dataset.trainX);
      const rows = new Set(Array.from({ length: N }, (_, r) => train.slice(r * D, (r + 1) * D).join(',')));
      const sub = host(again.trainEvalX);
      const picked = Array.from({ length: 24 }, (_, r) => sub.slice(r * D, (r + 1) * D).join(','));
      picked.forEach((row) => expect(rows.has(row)).toBe(true));
      expect(new Set(picked).size).toBe(24);
    } finally {
      disposeTrainEval(again);
    }
  });
});

/**
 * The training loop relies on tfjs-layers updating BatchNormalization's moving statistics inside
 * `call` when `model.apply(x, { training: true })` runs under a gradient tape, and only then.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { buildModel, type ModelConfig } from './index.ts';

const CFG: ModelConfig = { name: 'mlp', hidden: [6], activation: 'relu', dropout: 0, norm: 'batch', groups: 1 };

function movingStats(model: tf.LayersModel): { mean: Float32Array; variance: Float32Array } {
  const [, , mean, variance] = model.getLayer('norm1').weights.map((w) => w.read().dataSync() as Float32Array);
  return { mean, variance };
}

/** Per-feature mean and biased variance, float64, of a row-major [rows, cols] array. */
function columnMoments(v: ArrayLike<number>, cols: number): { mean: number[]; variance: number[] } {
  const rows = v.length / cols;
  const mean = Array.from({ length: cols }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += v[r * cols + c];
    return s / rows;
  });
  const variance = mean.map((m, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += (v[r * cols + c] - m) ** 2;
    return s / rows;
  });
  return { mean, variance };
}

describe('tfjs BatchNormalization under optimizer.minimize', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor;
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  // Before the fixture hooks: counts before the model is built and after it is disposed.
  useLeakCheck();
  beforeEach(() => {
    model = buildModel(CFG, [5], 3, 11);
    x = tf.tidy(() => tf.add(tf.randomNormal([16, 5]), 1));
  });
  afterEach(() => {
    x.dispose();
    model.dispose();
  });

  it('leaves moving statistics alone in inference calls', () => {
    const start = movingStats(model);
    tf.dispose([model.predict(x) as tf.Tensor, model.apply(x) as tf.Tensor, model.apply(x, { training: false }) as tf.Tensor]);
    expect(movingStats(model)).toEqual(start);
  });

  it('moves them by momentum 0.9 toward the batch statistics in a training step', () => {
    const preNorm = tf.model({ inputs: model.inputs, outputs: model.getLayer('dense1').output as tf.SymbolicTensor });
    const h = preNorm.predict(x) as tf.Tensor;
    const expected = columnMoments(h.dataSync(), 6);
    h.dispose();
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3));
    const opt = tf.train.sgd(0.05);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, false, vars);
    const after = movingStats(model);
    // Initial moving mean 0 and variance 1; tfjs uses the biased batch variance.
    expected.mean.forEach((m, i) => expect(after.mean[i]).toBeCloseTo(0.1 * m, 5));
    expected.variance.forEach((v, i) => expect(after.variance[i]).toBeCloseTo(0.9 + 0.1 * v, 5));
    tf.dispose(y);
    opt.dispose();
  });

  it('also updates them under tf.variableGrads, and not in a later inference call', () => {
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const start = movingStats(model);
    const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    tf.dispose([value, grads]);
    const trained = movingStats(model);
    expect(trained.mean).not.toEqual(start.mean);
    tf.dispose(model.apply(x) as tf.Tensor);
    expect(movingStats(model)).toEqual(trained);
  });

  it('returns only its output from a training apply outside a tidy (Container.call tidies)', () => {
    const start = tf.memory().numTensors;
    const y = model.apply(x, { training: true }) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(start + 1);
    y.dispose();
  });
});

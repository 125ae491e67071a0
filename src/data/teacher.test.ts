import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { applyTeacher, loadTeacher, planTeacher, sampleTeacher, type TeacherConfig, type TeacherWeights } from './teacher.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base: TeacherConfig = { name: 'teacher', inputDim: 5, outputDim: 3, hidden: 7, noise: 0, trainSize: 64, testSize: 32, seed: 9 };

describe('applyTeacher', () => {
  it('computes tanh(x W1 + b1) W2 + b2 (closed form, 2 -> 2 -> 1)', () => {
    const w: TeacherWeights = {
      inputDim: 2,
      hidden: 2,
      outputDim: 1,
      w1: Float64Array.from([1, 0, 0, 2]), // [[1, 0], [0, 2]]
      b1: Float64Array.from([0.5, -1]),
      w2: Float64Array.from([3, -2]),
      b2: Float64Array.from([0.25]),
    };
    // Row 1: h = (0.3 + 0.5, -0.8 - 1) = (0.8, -1.8). Row 2: h = (0.5, -1).
    const y = applyTeacher(w, [0.3, -0.4, 0, 0]);
    expect(y[0]).toBeCloseTo(3 * Math.tanh(0.8) - 2 * Math.tanh(-1.8) + 0.25, 14);
    expect(y[1]).toBeCloseTo(3 * Math.tanh(0.5) - 2 * Math.tanh(-1) + 0.25, 14);
  });
});

describe('planTeacher', () => {
  it('draws W1 ~ N(0, 1/inputDim), b1 ~ N(0, 0.01), W2 ~ N(0, 1/hidden), b2 = 0', () => {
    const w = planTeacher(100, 400, 50, 1);
    const variance = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0) / a.length;
    // 40,000 / 400 / 20,000 draws: relative standard errors 0.7% / 7% / 1%.
    expect(variance(w.w1) * 100).toBeCloseTo(1, 1);
    expect(variance(w.b1) / 0.01).toBeGreaterThan(0.75);
    expect(variance(w.b1) / 0.01).toBeLessThan(1.25);
    expect(variance(w.w2) * 400).toBeCloseTo(1, 1);
    expect([...w.b2]).toEqual(Array(50).fill(0));
  });

  it('depends only on the seed', () => {
    expect(planTeacher(3, 4, 2, 5)).toEqual(planTeacher(3, 4, 2, 5));
    expect(planTeacher(3, 4, 2, 5).w1).not.toEqual(planTeacher(3, 4, 2, 6).w1);
  });
});

describe('sampleTeacher', () => {
  it('adds Gaussian noise of the given std to the teacher output', () => {
    const w = planTeacher(4, 8, 2, 3);
    const { x, y } = sampleTeacher(w, 10_000, 0.5, 3, 'noise-check');
    const clean = applyTeacher(w, x);
    const residual = Array.from(y, (v, k) => v - clean[k]);
    const mean = residual.reduce((s, v) => s + v, 0) / residual.length;
    const std = Math.sqrt(residual.reduce((s, v) => s + (v - mean) ** 2, 0) / residual.length);
    // 20,000 residuals: standard errors 0.0035 (mean) and 0.0025 (std).
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.01);
  });

  it('draws standard-normal inputs', () => {
    const { x } = sampleTeacher(planTeacher(10, 2, 1, 0), 5000, 0, 0, 'inputs');
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });
});

describe('loadTeacher', () => {
  useLeakCheck();
  it('returns targets equal to the teacher network applied to the inputs (reference: tfjs cpu ops)', async () => {
    const ds = await loadTeacher(base);
    expect(ds.task).toBe('regression');
    expect(ds.inputShape).toEqual([5]);
    expect(ds.numOutputs).toBe(3);
    expect(ds.trainLabels).toBeUndefined();
    expect(ds.trainX.shape).toEqual([64, 5]);
    expect(ds.trainY.shape).toEqual([64, 3]);
    expect(ds.testX.shape).toEqual([32, 5]);
    expect(ds.testY.shape).toEqual([32, 3]);
    const w = planTeacher(5, 7, 3, 9);
    const f32 = (a: Float64Array) => Float32Array.from(a);
    for (const [x, y] of [[ds.trainX, ds.trainY], [ds.testX, ds.testY]]) {
      const reference = tf.tidy(() =>
        tf
          .tanh(tf.add(tf.matMul(x, tf.tensor2d(f32(w.w1), [5, 7])), tf.tensor1d(f32(w.b1))))
          .matMul(tf.tensor2d(f32(w.w2), [7, 3]))
          .add(tf.tensor1d(f32(w.b2))),
      );
      const maxError = tf.tidy(() => tf.max(tf.abs(tf.sub(reference, y))).dataSync()[0]);
      expect(maxError).toBeLessThan(1e-5);
      reference.dispose();
    }
    ds.dispose();
  });

  it('keeps the teacher and the test set when only trainSize changes, and follows the seed', async () => {
    const a = await loadTeacher({ ...base, noise: 0.1 });
    const b = await loadTeacher({ ...base, noise: 0.1, trainSize: 100 });
    const c = await loadTeacher({ ...base, noise: 0.1, seed: 10 });
    expect(await b.testX.data()).toEqual(await a.testX.data());
    expect(await b.testY.data()).toEqual(await a.testY.data());
    expect(await c.testX.data()).not.toEqual(await a.testX.data());
    for (const ds of [a, b, c]) ds.dispose();
  });
});

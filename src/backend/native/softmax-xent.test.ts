/**
 * Native softmax cross-entropy (BatchlabSoftmaxCrossEntropy / ...Grad, run by train/loss.ts on
 * `native`) on fresh random logits and one-hot or soft labels, for every reduction: the loss and
 * the gradient with respect to the logits are bit-identical to tfjs's composition on the same
 * backend (the kernels unregistered), which is what a run computed before them, and within 1e-4
 * (max relative error) of the composition on tfjs's cpu backend; and a short training run (MLP
 * with batch norm, SGD with momentum, curve rows with evaluations) ends with the same weight bits
 * and curve with the kernels as without. The seed is new each run and printed in every failure message.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeForTests, useNativeSuite } from '../../../test/support/native-suite.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { validateSpec } from '../../config/validate.ts';
import { createRng, normals } from '../../core/prng.ts';
import { loadDataset } from '../../data/index.ts';
import { buildModel, type ModelConfig } from '../../models/index.ts';
import { disposeTrainEval, withTrainEval } from '../../runner/train-data.ts';
import { trainModel } from '../../train/loop.ts';
import { perExampleLoss, reducedLoss } from '../../train/loss.ts';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD } from '../kernel-names.ts';
import { NATIVE } from './kernels.ts';

const { load, skipNative } = loadNativeForTests();
const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const REDUCTIONS = ['none', 'mean', 'sum'] as const;
type Reduction = (typeof REDUCTIONS)[number];
/** [rows, classes], one-hot labels or not. */
const CASES: [number, number, boolean][] = [[16, 10, true], [37, 10, true], [1, 3, true], [9, 7, false]];

interface Draw {
  logits: Float32Array;
  labels: Float32Array;
  /** The gradient fed back for 'none' (one value per row). */
  dy: Float32Array;
}

function draw(seed: number, rows: number, classes: number, oneHot: boolean): Draw {
  const rng = createRng(seed);
  const logits = Float32Array.from(normals(rng, rows * classes, 3));
  const labels = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    if (oneHot) labels[r * classes + rng.int(classes)] = 1;
    else {
      const w = Array.from({ length: classes }, () => rng.uniform());
      const total = w.reduce((p, q) => p + q, 0);
      w.forEach((v, j) => (labels[r * classes + j] = v / total));
    }
  }
  return { logits, labels, dy: Float32Array.from(normals(rng, rows)) };
}

/** The loss and d loss / d logits on `backend` through train/loss.ts (the fused kernels where registered). */
async function lossAndGrad(backend: string, d: Draw, rows: number, classes: number, reduction: Reduction): Promise<[Float32Array, Float32Array]> {
  await tf.setBackend(backend);
  return tf.tidy((): [Float32Array, Float32Array] => {
    const logits = tf.tensor2d(d.logits, [rows, classes]);
    const labels = tf.tensor2d(d.labels, [rows, classes]);
    const f = (x: tf.Tensor) => (reduction === 'none' ? perExampleLoss('classification', x, labels) : reducedLoss('classification', reduction, x, labels));
    const loss = f(logits);
    const grad = reduction === 'none' ? tf.grad(f)(logits, tf.tensor1d(d.dy)) : tf.grad(f)(logits);
    return [Float32Array.from(loss.dataSync()), Float32Array.from(grad.dataSync())];
  });
}

/** Runs `f` with the native softmax cross-entropy kernels unregistered (tfjs's composition on native). */
async function composedOnNative<T>(f: () => Promise<T>): Promise<T> {
  const kernels = [SOFTMAX_XENT, SOFTMAX_XENT_GRAD].map((name) => tf.getKernel(name, NATIVE)!);
  kernels.forEach((k) => tf.unregisterKernel(k.kernelName, NATIVE));
  try {
    return await f();
  } finally {
    kernels.forEach((k) => tf.registerKernel(k));
  }
}

describe.skipIf(skipNative)('native softmax cross-entropy', () => {
  useNativeSuite(load);

  it('runs on native in place of the composition, one kernel each way', async () => {
    const d = draw(SEED, 4, 5, true);
    await tf.setBackend(NATIVE);
    const names = (await tf.profile(() => lossAndGrad(NATIVE, d, 4, 5, 'mean'))).kernelNames;
    expect(names).toEqual(expect.arrayContaining([SOFTMAX_XENT, SOFTMAX_XENT_GRAD]));
    expect(names).not.toContain('Exp');
  });

  for (const reduction of REDUCTIONS) {
    it.each(CASES)(`${reduction}: the composition's bits on native, and the cpu backend's values (%i x %i, one-hot %s)`, async (rows, classes, oneHot) => {
      const d = draw(SEED ^ (rows * 131 + classes), rows, classes, oneHot);
      const where = `${rows}x${classes} ${reduction} (seed ${SEED})`;
      const [loss, grad] = await lossAndGrad(NATIVE, d, rows, classes, reduction);
      const [composedLoss, composedGrad] = await composedOnNative(() => lossAndGrad(NATIVE, d, rows, classes, reduction));
      expect(loss, `loss vs composition on native, ${where}`).toEqual(composedLoss);
      expect(grad, `gradient vs composition on native, ${where}`).toEqual(composedGrad);
      const [cpuLoss, cpuGrad] = await lossAndGrad('cpu', d, rows, classes, reduction);
      expect(relError(loss, cpuLoss), `loss vs cpu, ${where}`).toBeLessThan(1e-4);
      expect(relError(grad, cpuGrad), `gradient vs cpu, ${where}`).toBeLessThan(1e-4);
    });
  }

  it.each(REDUCTIONS)('%s: d loss / d labels matches the cpu backend (< 1e-4)', async (reduction) => {
    const [rows, classes] = [6, 7];
    const d = draw(SEED ^ 0x1abe1, rows, classes, false);
    const labelsGrad = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const logits = tf.tensor2d(d.logits, [rows, classes]);
        const f = (y: tf.Tensor) => (reduction === 'none' ? perExampleLoss('classification', logits, y) : reducedLoss('classification', reduction, logits, y));
        const labels = tf.tensor2d(d.labels, [rows, classes]);
        const grad = reduction === 'none' ? tf.grad(f)(labels, tf.tensor1d(d.dy)) : tf.grad(f)(labels);
        return Float32Array.from(grad.dataSync());
      });
    };
    expect(relError(await labelsGrad(NATIVE), await labelsGrad('cpu')), `${reduction} (seed ${SEED})`).toBeLessThan(1e-4);
  });

  it('leaves a training run bit-identical: weights and curve, with the kernels and without', async () => {
    const v = validateSpec({
      backend: NATIVE,
      data: { name: 'blobs', classes: 5, dim: 12, trainSize: 96, testSize: 40, seed: SEED % 1000 },
      model: { name: 'mlp', hidden: [24, 16], norm: 'batch' },
      optimizer: { name: 'sgd', momentum: 0.9 },
      train: { epochs: 3, batchSize: 16, lr: 0.1, seed: SEED % 997, logEvery: 2, evalEvery: 6 },
    });
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const config = v.spec;
    await tf.setBackend(NATIVE);
    const run = async () => {
      const dataset = await loadDataset(config.data as Parameters<typeof loadDataset>[0]);
      const data = withTrainEval(dataset);
      const model = buildModel(config.model as ModelConfig, dataset.inputShape, dataset.numOutputs, config.train.seed);
      const rows: unknown[] = [];
      try {
        const result = await trainModel({ model, data, config, observers: [{ onRow: ({ wall_ms: _, ...r }) => { rows.push(r); } }] });
        expect(result.status).toBe('completed');
        const weights = model.getWeights().map((w) => Array.from(new Uint32Array(Float32Array.from(w.dataSync()).buffer)));
        return { rows, weights };
      } finally {
        model.dispose();
        disposeTrainEval(data);
        dataset.dispose();
      }
    };
    const fused = await run();
    const composed = await composedOnNative(run);
    expect(fused.rows.length, `seed ${SEED}`).toBeGreaterThan(3);
    expect(fused, `seed ${SEED}`).toEqual(composed);
  });
});

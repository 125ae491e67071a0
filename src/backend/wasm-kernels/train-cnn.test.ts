/**
 * End to end: a small tfjs-layers CNN (conv-BN-relu-maxpool-conv-relu-GAP-dense) takes a few
 * SGD steps on wasm and on cpu from the same weights and batch; the gradients agree each step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { TOLERANCE, initBackends, randn, relError } from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

function buildCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      // No bias before batch norm: its gradient is zero up to rounding, so no relative error exists.
      tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 3 }),
    ],
  });
}

interface Trace {
  grads: Float32Array[][];
  finalWeights: Float32Array[];
}

/** Builds the CNN on `backend` with the given weights and runs `steps` SGD steps. */
async function train(backend: 'cpu' | 'wasm', weights: Float32Array[], xs: Float32Array, labels: number[], steps: number): Promise<Trace> {
  await tf.setBackend(backend);
  const model = buildCnn();
  const start = model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape));
  model.setWeights(start);
  tf.dispose(start);
  const x = tf.tensor4d(xs, [labels.length, 10, 10, 2]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3));
  const opt = tf.train.sgd(0.1);
  const grads: Float32Array[][] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads: g } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    );
    const names = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    grads.push(names.map((n) => Float32Array.from(g[n].dataSync())));
    opt.applyGradients(g);
    tf.dispose([value, ...Object.values(g)]);
  }
  const finalWeights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return { grads, finalWeights };
}

describe('a small CNN trains on wasm as on cpu', () => {
  useLeakCheck();
  it('matches cpu gradients over 3 SGD steps and leaks no tensor', async () => {
    // Few pooling windows keep near-ties (which cpu and wasm may break differently) improbable.
    const batch = 4;
    await tf.setBackend('cpu');
    const initModel = buildCnn();
    const init = initModel.getWeights().map((w) => Float32Array.from(w.dataSync()));
    initModel.dispose();
    const xs = randn(batch * 10 * 10 * 2);
    const labels = Array.from({ length: batch }, (_, i) => i % 3);

    const cpu = await train('cpu', init, xs, labels, 3);
    const wasm = await train('wasm', init, xs, labels, 3);

    expect(wasm.grads.length).toBe(3);
    for (let s = 0; s < 3; s++) {
      cpu.grads[s].forEach((ref, i) => expect(relError(wasm.grads[s][i], ref)).toBeLessThan(TOLERANCE));
    }
    cpu.finalWeights.forEach((ref, i) => expect(relError(wasm.finalWeights[i], ref)).toBeLessThan(TOLERANCE));
  });
});

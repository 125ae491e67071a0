/**
 * Every model x norm builds, trains three SGD steps with finite loss, changes every trainable
 * weight and holds tf.memory().numTensors steady, on the cpu, wasm and native backends (native
 * where its addon is built). Same seed gives
 * the same initial weights.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { requireSystem } from '../../test/support/require-system.ts';
import { initBackend, probeBackend } from '../backend/index.ts';
import { NATIVE_PACKAGES } from '../backend/native/addon.ts';
// Stock wasm has no Conv2DBackpropFilter: convolutions train there only with these kernels, so
// a failing import must fail this file rather than skip the conv models.
import { registerWasmTrainingKernels } from '../backend/wasm-kernels/index.ts';
import { buildModel, MODELS, type ModelConfig, type NormOptions } from './index.ts';
import { NORM_NAMES } from './norm-names.ts';

// native needs its addon; src/backend/native/kernels.test.ts covers it in depth.
const skipNative = requireSystem(NATIVE_PACKAGES, (await probeBackend('native')).usable);

const BATCH = 8;
const CLASSES = 3;
const SEED = 42;

/** Every registered norm, and BatchNorm with ghost batches. */
const NORMS: Record<string, NormOptions> = {
  ...Object.fromEntries(NORM_NAMES.map((norm) => [norm, { norm, groups: 2 }])),
  ghost: { norm: 'batch', groups: 2, ghostBatchSize: 4 },
};

interface Case {
  label: string;
  cfg: ModelConfig;
  inputShape: number[];
}

const CASES: Case[] = Object.entries(NORMS).flatMap(([normLabel, norm]) => [
  {
    label: `mlp/${normLabel}`,
    cfg: { name: 'mlp', hidden: [8, 6], activation: 'gelu', dropout: 0.1, ...norm },
    inputShape: [16],
  },
  {
    label: `cnn/${normLabel}`,
    cfg: { name: 'cnn', channels: [4, 6], pooling: 'max', kernelSize: 3, dropout: 0.1, ...norm },
    inputShape: [8, 8, 1],
  },
  {
    label: `resnet8/${normLabel}`,
    cfg: { name: 'resnet', depth: 8, width: 2, ...norm },
    inputShape: [8, 8, 1],
  },
]);

function values(vars: tf.LayerVariable[]): Float32Array[] {
  return vars.map((v) => v.read().dataSync() as Float32Array);
}

/** Builds, checks seeding, trains 3 steps; returns nothing, asserts as it goes. */
function checkContract({ cfg, inputShape }: Case, backend: string): void {
  expect(tf.getBackend()).toBe(backend);
  const model = buildModel(cfg, inputShape, CLASSES, SEED);
  const twin = buildModel(cfg, inputShape, CLASSES, SEED);
  const other = buildModel(cfg, inputShape, CLASSES, SEED + 1);
  expect(values(twin.weights)).toEqual(values(model.weights));
  expect(values(other.trainableWeights)[0]).not.toEqual(values(model.trainableWeights)[0]);
  twin.dispose();
  other.dispose();

  const x = tf.randomNormal([BATCH, ...inputShape]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, CLASSES, 'int32'), CLASSES));
  const opt = tf.train.sgd(0.05);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const start = values(model.trainableWeights);
  const counts: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
      vars,
    )!;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    loss.dispose();
    counts.push(tf.memory().numTensors);
  }
  expect(counts[2]).toBe(counts[0]);
  expect(counts[1]).toBe(counts[0]);
  const end = values(model.trainableWeights);
  const unchanged = model.trainableWeights.filter((_, i) => end[i].every((v, j) => v === start[i][j])).map((w) => w.name);
  expect(unchanged).toEqual([]);
  const logits = model.predict(x) as tf.Tensor;
  expect(logits.shape).toEqual([BATCH, CLASSES]);
  tf.dispose([x, y, logits]);
  opt.dispose();
  model.dispose();
}

it('covers every registered model', () => {
  expect(new Set(CASES.map((c) => c.cfg.name))).toEqual(new Set(Object.keys(MODELS)));
});

describe.each(['cpu', 'wasm', 'native'])('model contract on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') registerWasmTrainingKernels();
    if (backend === 'native') {
      if (!skipNative) await initBackend('native');
      return;
    }
    await tf.setBackend(backend);
  });
  useLeakCheck();

  for (const c of CASES) {
    it.skipIf(backend === 'native' && skipNative)(c.label, () => checkContract(c, backend));
  }
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { InternalError, UsageError } from '../errors.ts';
import { buildModel, GroupNorm, type ModelConfig } from './index.ts';

const none = { norm: 'none', groups: 1 } as const;
const batch = { norm: 'batch', groups: 1 } as const;

/** Parameter counts worked out by hand: kernels + biases (+ 4 per channel for BatchNorm). */
const COUNTS: { label: string; cfg: ModelConfig; input: number[]; outputs: number; params: number }[] = [
  // 16*8 + 8 + 8*3 + 3
  { label: 'mlp', cfg: { name: 'mlp', hidden: [8], activation: 'relu', dropout: 0, ...none }, input: [16], outputs: 3, params: 163 },
  // no dense bias before BN: 16*8 + BN 4*8 + 8*3 + 3
  { label: 'mlp + batch', cfg: { name: 'mlp', hidden: [8], activation: 'tanh', dropout: 0, ...batch }, input: [16], outputs: 3, params: 187 },
  // 3*3*1*4 + 4 + 4*3 + 3
  { label: 'cnn', cfg: { name: 'cnn', channels: [4], pooling: 'avg', kernelSize: 3, dropout: 0.5, ...none }, input: [8, 8, 1], outputs: 3, params: 55 },
  // stem 9*4+4 = 40; stage 1: 2*(9*16+4) = 296; stage 2: (9*32+8) + (9*64+8) + (4*8+8) = 920;
  // stage 3: (9*128+16) + (9*256+16) + (8*16+16) = 3632; dense 16*3+3 = 51
  { label: 'resnet8', cfg: { name: 'resnet', depth: 8, width: 4, ...none }, input: [8, 8, 1], outputs: 3, params: 4939 },
];

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e.issues;
    throw e;
  }
  throw new Error('expected a UsageError');
}

describe('buildModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  useLeakCheck();

  it.each(COUNTS)('$label has $params parameters and [batch, outputs] logits', ({ cfg, input, outputs, params }) => {
    const model = buildModel(cfg, input, outputs, 0);
    expect(model.countParams()).toBe(params);
    expect(model.outputs[0].shape).toEqual([null, outputs]);
    model.dispose();
  });

  it('uses GroupNorm(1) for layer norm on conv features and LayerNormalization on dense ones', () => {
    const cnn = buildModel({ name: 'cnn', channels: [4], pooling: 'none', kernelSize: 3, dropout: 0, norm: 'layer', groups: 8 }, [4, 4, 1], 2, 0);
    const norm = cnn.getLayer('norm1');
    expect(norm).toBeInstanceOf(GroupNorm);
    expect((norm as GroupNorm).groups).toBe(1);
    const mlp = buildModel({ name: 'mlp', hidden: [4], activation: 'elu', dropout: 0, norm: 'layer', groups: 8 }, [3, 3], 2, 0);
    expect(mlp.getLayer('norm1').getClassName()).toBe('LayerNormalization');
    cnn.dispose();
    mlp.dispose();
  });

  // Settings are validated by config/ before a model is built (config/validate.test.ts); the
  // factories check only what depends on the data, before creating any weights.
  it('refuses more pooled stages than the image size allows, at model.channels, before creating any weights', () => {
    const paths = (cfg: ModelConfig, input: number[]): string[] => issuesOf(() => buildModel(cfg, input, 3, 0)).map((i) => i.path);
    expect(paths({ name: 'cnn', channels: [4, 4, 4], pooling: 'max', kernelSize: 3, dropout: 0, ...none }, [4, 4, 1])).toEqual([
      'model.channels',
    ]);
    expect(issuesOf(() => buildModel({ name: 'resnet', depth: 8, width: 2, ...none }, [8, 8, 1], 3, 0.5))[0].path).toBe('seed');
  });

  it('treats a conv model on vector input as a bug (config/rules.ts refuses the spec)', () => {
    expect(() => buildModel({ name: 'cnn', channels: [4], pooling: 'max', kernelSize: 3, dropout: 0, ...none }, [16], 3, 0)).toThrow(InternalError);
  });
});

describe('BatchNorm settings', () => {
  const norms = (m: tf.LayersModel) => m.layers.filter((l) => l.name.startsWith('norm')).map((l) => l.getConfig());
  it('uses model.bnMomentum and model.bnEpsilon when given, 0.9 and 1e-5 otherwise, ghost batches included', () => {
    const cnn = { name: 'cnn' as const, channels: [4, 4], pooling: 'max' as const, kernelSize: 3, dropout: 0 };
    const given = buildModel({ ...cnn, ...batch, bnMomentum: 0.99, bnEpsilon: 1e-3 }, [8, 8, 1], 3, 1);
    const ghost = buildModel({ ...cnn, ...batch, ghostBatchSize: 2, bnMomentum: 0.5 }, [8, 8, 1], 3, 1);
    const plain = buildModel({ ...cnn, ...batch }, [8, 8, 1], 3, 1);
    try {
      expect(norms(given).map((c) => [c.momentum, c.epsilon])).toEqual([[0.99, 1e-3], [0.99, 1e-3]]);
      expect(norms(ghost).map((c) => [c.momentum, c.epsilon, c.ghostBatchSize])).toEqual([[0.5, 1e-5, 2], [0.5, 1e-5, 2]]);
      expect(norms(plain).map((c) => [c.momentum, c.epsilon])).toEqual([[0.9, 1e-5], [0.9, 1e-5]]);
    } finally {
      [given, ghost, plain].forEach((m) => m.dispose());
    }
  });
});

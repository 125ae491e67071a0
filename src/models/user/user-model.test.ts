/**
 * The user's own model: a topology saved by tfjs's model.save and one built by a module, both
 * rebuilt with seeded weights and batchlab's norm layers; against the built-in CNN of the same
 * architecture, its BatchNormalization layers honour ghostBatchSize and preciseBn.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { useTempDir } from '../../../test/support/temp-dir.ts';
import type { RunConfig } from '../../config/schema.ts';
import { validateSpec } from '../../config/validate.ts';
import { UsageError } from '../../errors.ts';
import { disposeTrainEval, withTrainEval } from '../../runner/train-data.ts';
import { trainModel } from '../../train/loop.ts';
import type { CurveRow } from '../../train/types.ts';
import { BatchNorm } from '../batch-norm.ts';
import { GhostBatchNorm } from '../ghost-batch-norm.ts';
import { GroupNorm } from '../group-norm.ts';
import { buildModel } from '../index.ts';
import type { UserModelConfig } from '../types.ts';
import { buildUserModel } from './build-user-model.ts';
import { rewriteTopology } from './rewrite-topology.ts';

const tmp = useTempDir('batchlab-user-model-');

/** The built-in CNN's architecture (channels 4, 8; 3x3 'same' convs without bias; BN; ReLU; max pool; GAP; dense), in plain tfjs layers. */
function keraslike(opts: { softmax?: boolean; regularize?: boolean; bnAxis?: number } = {}): tf.Sequential {
  const m = tf.sequential();
  [4, 8].forEach((filters, i) => {
    m.add(tf.layers.conv2d({
      ...(i === 0 ? { inputShape: [8, 8, 1] } : {}), filters, kernelSize: 3, padding: 'same', useBias: false, name: `conv${i + 1}`,
      ...(opts.regularize && i === 1 ? { kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) } : {}),
    }));
    m.add(tf.layers.batchNormalization({ name: `norm${i + 1}`, ...(opts.bnAxis !== undefined ? { axis: opts.bnAxis } : {}) }));
    m.add(tf.layers.reLU({ name: `relu${i + 1}` }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }));
  });
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits', ...(opts.softmax ? { activation: 'softmax' } : {}) }));
  return m;
}

/** Saves `model` with tfjs's own model.save as model.json + weights.bin in `dir`; returns model.json's path. */
async function save(model: tf.LayersModel, dir: string, name = 'model.json'): Promise<string> {
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(join(dir, name), JSON.stringify({ modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, weightsManifest: [{ paths: [`${name}.bin`], weights: a.weightSpecs }] }));
    writeFileSync(join(dir, `${name}.bin`), new Uint8Array(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return join(dir, name);
}

const layersCfg = (path: string, extra: Partial<UserModelConfig> = {}): UserModelConfig =>
  ({ name: 'layers', path, weights: 'init', norm: 'batch', groups: 2, ...extra }) as UserModelConfig;

const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a model saved by tfjs model.save', () => {
  useLeakCheck();

  it('builds with weights from the seed: the same seed gives the same weights, another seed others', async () => {
    const path = await save(keraslike({ softmax: true }), tmp.path);
    const [a, b, c] = await Promise.all([7, 7, 8].map((seed) => buildUserModel(layersCfg(path), [8, 8, 1], 3, seed)));
    expect(values(a)).toEqual(values(b));
    expect(values(a)[0]).not.toEqual(values(c)[0]);
    // BatchNormalization runs as batchlab's BatchNorm with the layer's own settings; the softmax is gone.
    const norms = a.layers.filter((l) => l instanceof BatchNorm) as BatchNorm[];
    expect(norms.map((l) => [l.name, l.momentum, l.epsilon])).toEqual([['norm1', 0.99, 0.001], ['norm2', 0.99, 0.001]]);
    const sums = tf.tidy(() => (a.predict(tf.ones([2, 8, 8, 1])) as tf.Tensor).sum(1).dataSync());
    expect(Array.from(sums).some((s) => Math.abs(s - 1) > 1e-3)).toBe(true);
    for (const m of [a, b, c]) m.dispose();
  });

  it('loads the saved weights with weights: load', async () => {
    const original = keraslike();
    const saved = values(original);
    const path = await save(original, tmp.path);
    const m = await buildUserModel(layersCfg(path, { weights: 'load' }), [8, 8, 1], 3, 1);
    expect(values(m)).toEqual(saved);
    m.dispose();
  });

  it('swaps BatchNormalization for GhostBatchNorm, GroupNorm, or removes it, as model.norm says', async () => {
    const path = await save(keraslike(), tmp.path);
    const ghost = await buildUserModel(layersCfg(path, { ghostBatchSize: 4, bnMomentum: 0.9, bnEpsilon: 1e-5 }), [8, 8, 1], 3, 1);
    expect(ghost.layers.filter((l) => l instanceof GhostBatchNorm).map((l) => [(l as GhostBatchNorm).ghostBatchSize, (l as GhostBatchNorm).momentum])).toEqual([[4, 0.9], [4, 0.9]]);
    const group = await buildUserModel(layersCfg(path, { norm: 'group', groups: 4 }), [8, 8, 1], 3, 1);
    expect(group.layers.filter((l) => l instanceof GroupNorm).map((l) => (l as GroupNorm).groups)).toEqual([4, 4]);
    const none = await buildUserModel(layersCfg(path, { norm: 'none' }), [8, 8, 1], 3, 1);
    expect(none.layers.some((l) => l.getClassName().includes('Norm'))).toBe(false);
    for (const m of [ghost, group, none]) m.dispose();
  });

  it('refuses, naming the layer: a regularizer, BN over another axis, groups that do not divide, another input shape', async () => {
    const reg = await save(keraslike({ regularize: true }), tmp.path, 'reg.json');
    const axis = await save(keraslike({ bnAxis: 1 }), tmp.path, 'axis.json');
    const plain = await save(keraslike(), tmp.path, 'plain.json');
    const refused = async (cfg: UserModelConfig, shape = [8, 8, 1]) => {
      const err = await buildUserModel(cfg, shape, 3, 1).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      return (err as UsageError).issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    };
    expect(await refused(layersCfg(reg))).toMatch(/model\.path: layer "conv2" \(Conv2D\): kernel_regularizer is set/);
    expect(await refused(layersCfg(axis))).toMatch(/layer "norm1" \(BatchNormalization\): normalises axis 1/);
    expect(await refused(layersCfg(plain, { norm: 'group', groups: 3 }))).toMatch(/layer "norm1" \(BatchNormalization\): has 4 channels, which model\.groups = 3 does not divide/);
    expect(await refused(layersCfg(plain), [12, 12, 1])).toMatch(/takes inputs of shape \[8, 8, 1\], the data's examples have shape \[12, 12, 1\]/);
  });

  it('names only the layers of classes tfjs-layers does not know, before building anything', async () => {
    const path = await save(keraslike(), tmp.path, 'custom.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    for (const layer of json.modelTopology.config.layers) if (layer.config.name === 'relu1' || layer.config.name === 'gap') layer.class_name = `My${layer.class_name}`;
    writeFileSync(path, JSON.stringify(json));
    const err = await buildUserModel(layersCfg(path), [8, 8, 1], 3, 1).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^layer "relu1" \(MyReLU\): a class tfjs-layers does not know/),
      expect.stringMatching(/^layer "gap" \(MyGlobalAveragePooling2D\): a class tfjs-layers does not know/),
    ]);
  });
});

describe('initializer seeds of a topology', () => {
  const dense = (i: number) => ({
    class_name: 'Dense',
    config: { name: `d${i}`, units: 1, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} } },
  });
  const topology = (layers: number) => ({ class_name: 'Sequential', config: { name: 's', layers: Array.from({ length: layers }, (_, i) => dense(i)) } });
  const opts = { norm: { norm: 'none' } as UserModelConfig, seed: 7, outputLayers: [], normSites: new Map(), knownClasses: new Set(['Dense']), path: 'model.path' };

  it('are the seeds makeSeeder gives, in file order', () => {
    const { topology: out } = rewriteTopology(topology(3), opts);
    const seeds = (out!.config.layers as { config: Record<string, { config: { seed?: number } }> }[])
      .flatMap((l) => [l.config.kernel_initializer.config.seed, l.config.bias_initializer.config.seed]);
    expect(seeds).toEqual([7000, 7001, 7002, 7003, 7004, 7005]);
  });

  it('run out past 1,000 initializers with the error of makeSeeder, instead of leaving the rest unseeded', () => {
    expect(() => rewriteTopology(topology(500), opts)).not.toThrow();
    const err = (() => {
      try {
        rewriteTopology(topology(501), opts);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues[0].message).toBe('more than 1000 seeded layers');
  });
});

/** model.json as the tfjs converter writes a Keras 2 Functional model (model_config nesting, inbound_nodes, BN axis [1]). */
const CONVERTED = {
  format: 'layers-model', generatedBy: 'keras v2.13.1', convertedBy: 'TensorFlow.js Converter v4.22.0',
  modelTopology: {
    keras_version: '2.13.1', backend: 'tensorflow',
    model_config: {
      class_name: 'Functional',
      config: {
        name: 'model', trainable: true,
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' }, name: 'input_1', inbound_nodes: [] },
          { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: 8, activation: 'linear', use_bias: false, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null }, name: 'dense', inbound_nodes: [[['input_1', 0, 0, {}]]] },
          { class_name: 'BatchNormalization', config: { name: 'batch_normalization', trainable: true, dtype: 'float32', axis: [1], momentum: 0.99, epsilon: 0.001, center: true, scale: true, beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} }, moving_mean_initializer: { class_name: 'Zeros', config: {} }, moving_variance_initializer: { class_name: 'Ones', config: {} }, beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null }, name: 'batch_normalization', inbound_nodes: [[['dense', 0, 0, {}]]] },
          { class_name: 'Dense', config: { name: 'dense_1', trainable: true, dtype: 'float32', units: 3, activation: 'softmax', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null }, name: 'dense_1', inbound_nodes: [[['batch_normalization', 0, 0, {}]]] },
        ],
        input_layers: [['input_1', 0, 0]],
        output_layers: [['dense_1', 0, 0]],
      },
    },
  },
  weightsManifest: [],
};

describe("a Keras model in the tfjs converter's format", () => {
  useLeakCheck();

  it('builds: Functional topology, BN over axis [1] as batchlab BatchNorm with its own settings, softmax removed, seeded', async () => {
    const path = join(tmp.path, 'model.json');
    writeFileSync(path, JSON.stringify(CONVERTED));
    const [a, b] = [await buildUserModel(layersCfg(path), [4], 3, 5), await buildUserModel(layersCfg(path), [4], 3, 5)];
    expect(values(a)).toEqual(values(b));
    const norm = a.layers.find((l) => l instanceof BatchNorm) as BatchNorm;
    expect([norm.name, norm.momentum, norm.epsilon]).toEqual(['batch_normalization', 0.99, 0.001]);
    expect((a.getLayer('dense_1').getConfig() as { activation: string }).activation).toBe('linear');
    for (const m of [a, b]) m.dispose();
  });
});

describe('a model built by a module', () => {
  useLeakCheck();

  it('is rebuilt from its topology with seeded weights, options passed through', async () => {
    const file = join(tmp.path, 'm.mjs');
    writeFileSync(file, `export default ({ tf, inputShape, numClasses, options }) => tf.sequential({ layers: [
      tf.layers.flatten({ inputShape }), tf.layers.dense({ units: options.width, activation: 'relu' }),
      tf.layers.batchNormalization(), tf.layers.dense({ units: numClasses, activation: 'softmax' })] });\n`);
    const cfg = { name: 'module', path: file, options: { width: 5 }, norm: 'batch', groups: 1 } as UserModelConfig;
    const [a, b] = await Promise.all([buildUserModel(cfg, [4, 4, 1], 3, 2), buildUserModel(cfg, [4, 4, 1], 3, 2)]);
    expect(values(a)).toEqual(values(b));
    expect(a.layers[1].getWeights()[0].shape).toEqual([16, 5]);
    expect(a.layers.some((l) => l instanceof BatchNorm)).toBe(true);
    for (const m of [a, b]) m.dispose();
  });

  it('refuses a module that exports no builder, or whose builder throws', async () => {
    writeFileSync(join(tmp.path, 'none.mjs'), 'export const x = 1;\n');
    writeFileSync(join(tmp.path, 'throws.mjs'), 'export default () => { throw new Error("no GPU"); };\n');
    for (const [file, why] of [['none.mjs', /to export a builder function/], ['throws.mjs', /the builder in .*throws\.mjs threw: no GPU/]] as const) {
      const err = await buildUserModel({ name: 'module', path: join(tmp.path, file), options: {}, norm: 'batch', groups: 1 } as UserModelConfig, [4], 3, 1).catch((e: unknown) => e);
      expect((err as UsageError).issues[0].message).toMatch(why);
    }
  });
});

/** A run config: the built-in CNN with ghost BN of 4 and precise BN, on 8x8 images. */
function runConfig(ghost: number | undefined): RunConfig {
  const v = validateSpec({
    data: { name: 'blobs', classes: 3, dim: 64, trainSize: 64, testSize: 32 },
    model: { name: 'mlp' },
    optimizer: { name: 'sgd', momentum: 0.9 },
    train: { steps: 8, batchSize: 16, lr: 0.1, seed: 3, logEvery: 2, evalEvery: 4, preciseBn: { examples: 64 }, checkpointEvery: false },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const cnn = { name: 'cnn', channels: [4, 8], pooling: 'max', kernelSize: 3, dropout: 0, norm: 'batch', groups: 2, bnMomentum: 0.9, bnEpsilon: 1e-5, ...(ghost ? { ghostBatchSize: ghost } : {}) };
  return { ...v.spec, model: cnn } as RunConfig;
}

describe('against the built-in CNN of the same architecture', () => {
  useLeakCheck();

  type Row = Omit<CurveRow, 'wall_ms'> & Record<string, unknown>;
  async function train(model: tf.LayersModel, config: RunConfig): Promise<Row[]> {
    const g = tf.randomNormal([96, 8, 8, 1], 0, 1, 'float32', 11);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 96 }, (_, i) => i % 3), 'int32'), 3).toFloat());
    const data = withTrainEval({ task: 'classification', trainX: g.slice(0, 64), trainY: labels.slice(0, 64), testX: g.slice(64), testY: labels.slice(64) });
    const rows: Row[] = [];
    try {
        const result = await trainModel({ model, data, config, observers: [{ onRow: ({ wall_ms: _, ...r }) => { rows.push(r); } }] });
        // The final metrics (precise-BN ones included) as one more row to compare.
        rows.push(result.final as unknown as Row);
    } finally {
      disposeTrainEval(data);
      tf.dispose([g, labels, data.trainX, data.trainY, data.testX, data.testY]);
    }
    return rows;
  }

  it('trains to the same curves (precise-BN columns included) with ghostBatchSize 4, and not to those of plain BN', async () => {
    const path = await save(keraslike(), tmp.path);
    const config = runConfig(4);
    const builtin = buildModel(config.model, [8, 8, 1], 3, 3);
    const user = await buildUserModel(layersCfg(path, { ghostBatchSize: 4, bnMomentum: 0.9, bnEpsilon: 1e-5 }), [8, 8, 1], 3, 3);
    const plain = await buildUserModel(layersCfg(path, { bnMomentum: 0.9, bnEpsilon: 1e-5 }), [8, 8, 1], 3, 3);
    // Same starting point: the built-in's initial weights, in the same order (kernel, gamma, beta, moving mean, moving variance, ...).
    user.setWeights(builtin.getWeights());
    plain.setWeights(builtin.getWeights());
    try {
      const [a, b, c] = [await train(builtin, config), await train(user, config), await train(plain, runConfig(undefined))];
      expect(b.length).toBe(a.length);
      const keys = ['train_loss', 'test_loss', 'test_acc', 'precise_bn_train_acc', 'precise_bn_test_loss', 'precise_bn_test_acc'] as const;
      let worst = 0;
      a.forEach((row, i) => {
        for (const k of keys) {
          const x = row[k] as number | null | undefined;
          const y = b[i][k] as number | null | undefined;
          if (x == null || y == null) expect(y ?? null).toBe(x ?? null);
          else worst = Math.max(worst, Math.abs(x - y) / Math.max(1e-6, Math.abs(x)));
        }
      });
      expect(worst).toBeLessThan(1e-5);
      expect(typeof a[a.length - 1].precise_bn_test_loss).toBe('number');
      // Plain BN over the whole batch of 16 trains differently: the comparison can fail.
      expect(c.map((r) => r.train_loss)).not.toEqual(b.map((r) => r.train_loss));
    } finally {
      for (const m of [builtin, user, plain]) m.dispose();
    }
  });
});

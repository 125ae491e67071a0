/**
 * The direct dense step and evaluation (direct-dense-step.ts, direct-dense-eval.ts) against the
 * tfjs path they replace, on the native backend: whole runs through trainModel with them on and
 * off give bit-identical curve rows (every step's loss and every evaluation included) and weights, across optimizers, reductions, depths, batch sizes and image
 * or vector inputs; models and settings it does not cover get no direct step.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNativeForTests, useNativeSuite } from '../../test/support/native-suite.ts';
import { NATIVE } from '../backend/native/kernels.ts';
import type { RunConfig } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { loadDataset } from '../data/index.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { disposeTrainEval, withTrainEval } from '../runner/train-data.ts';
import { EpochSampler } from './batches.ts';
import { directDenseEvaluate } from './direct-dense-eval.ts';
import { planDirectDenseStep, setDirectDenseSteps } from './direct-dense-step.ts';
import { evaluate } from './evaluate.ts';
import { trainModel } from './loop.ts';
import { createOptimizer } from './optimizers.ts';
import type { CurveRow } from './types.ts';

const { load, skipNative } = loadNativeForTests();

function configOf(spec: Record<string, unknown>): RunConfig {
  const v = validateSpec({
    data: { name: 'blobs', classes: 4, dim: 6, trainSize: 96, testSize: 24 },
    model: { name: 'mlp', hidden: [16, 8] },
    optimizer: { name: 'sgd', momentum: 0.9 },
    ...spec,
    train: { epochs: 2, batchSize: 8, lr: 0.1, seed: 3, logEvery: 1, evalEvery: 5, ...(spec['train'] as object) },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

interface Outcome {
  rows: Omit<CurveRow, 'wall_ms'>[];
  weights: Float32Array[];
  direct: boolean;
}

async function runOnce(config: RunConfig, direct: boolean): Promise<Outcome> {
  setDirectDenseSteps(direct);
  const dataset = await loadDataset(config.data as Parameters<typeof loadDataset>[0]);
  const data = withTrainEval(dataset);
  const model = buildModel(config.model as ModelConfig, dataset.inputShape, dataset.numOutputs, config.train.seed);
  const rows: Outcome['rows'] = [];
  try {
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const optimizer = createOptimizer(config.optimizer, vars);
    const planned = planDirectDenseStep({ model, data, vars, optimizer, sampler: new EpochSampler(1, 1), reduction: config.loss.reduction }) !== null;
    optimizer.dispose();
    const result = await trainModel({ model, data, config, observers: [{ onRow: ({ wall_ms: _, ...r }) => { rows.push(r); } }] });
    expect(result.status).toBe('completed');
    return { rows, weights: model.getWeights().map((w) => w.dataSync() as Float32Array), direct: planned };
  } finally {
    model.dispose();
    disposeTrainEval(data);
    dataset.dispose();
  }
}

describe.skipIf(skipNative)('direct dense step on native', () => {
  useNativeSuite(load);
  afterEach(() => setDirectDenseSteps(true));

  const cases: [string, Record<string, unknown>][] = [
    ['SGD momentum, mean, two hidden layers, vector input', {}],
    ['Nesterov with weight decay, sum reduction, odd batch', {
      optimizer: { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 }, loss: { reduction: 'sum' }, train: { batchSize: 7, lr: 0.01 },
    }],
    ['plain SGD, one hidden layer, batch 1', { model: { name: 'mlp', hidden: [12] }, optimizer: { name: 'sgd', momentum: 0 }, train: { batchSize: 1, epochs: 1 } }],
    ['Adam, three hidden layers, batch 32', { model: { name: 'mlp', hidden: [20, 12, 8] }, optimizer: { name: 'adam' }, train: { batchSize: 32, lr: 0.003 } }],
    ['images flattened (mnist), batch 16, a validation split, evaluations in chunks of 7', {
      data: { name: 'mnist', trainSize: 64, testSize: 32, validationSize: 20 }, model: { name: 'mlp', hidden: [24, 16] }, train: { batchSize: 16, evalBatchSize: 7 },
    }],
  ];
  it.each(cases)('%s: the same curve rows and weights, bit for bit', async (_, spec) => {
    await tf.setBackend(NATIVE);
    const config = configOf(spec);
    const viaTfjs = await runOnce(config, false);
    const direct = await runOnce(config, true);
    expect(viaTfjs.direct).toBe(false);
    expect(direct.direct).toBe(true);
    expect(direct.rows.length).toBeGreaterThan(2);
    expect(direct.rows).toEqual(viaTfjs.rows);
    expect(direct.weights).toEqual(viaTfjs.weights);
    // The runs moved: the comparison is not of two untrained models.
    expect(direct.rows.at(-1)!.test_loss).not.toEqual(direct.rows[0]!.test_loss);
  });

  const notCovered: [string, Record<string, unknown>][] = [
    ['dropout', { model: { name: 'mlp', hidden: [16], dropout: 0.2 } }],
    ['batch norm', { model: { name: 'mlp', hidden: [16], norm: 'batch' } }],
    ['tanh', { model: { name: 'mlp', hidden: [16], activation: 'tanh' } }],
    ['no hidden layer', { model: { name: 'mlp', hidden: [] } }],
  ];
  it.each(notCovered)('%s: no direct step (the tfjs path runs)', async (_, spec) => {
    await tf.setBackend(NATIVE);
    expect((await runOnce(configOf(spec), true)).direct).toBe(false);
  });

  it('evaluate() gives the same loss and accuracy bits directly as through tfjs, in any chunking', async () => {
    await tf.setBackend(NATIVE);
    const config = configOf({ data: { name: 'blobs', classes: 5, dim: 9, trainSize: 40, testSize: 37 }, model: { name: 'mlp', hidden: [11, 6] } });
    const dataset = await loadDataset(config.data as Parameters<typeof loadDataset>[0]);
    const model = buildModel(config.model as ModelConfig, dataset.inputShape, dataset.numOutputs, 9);
    try {
      for (const chunk of [1, 7, 37, 1000]) {
        setDirectDenseSteps(false);
        const viaTfjs = await evaluate(model, dataset.testX, dataset.testY, 'classification', chunk);
        setDirectDenseSteps(true);
        expect(directDenseEvaluate(model, dataset.testX, dataset.testY, chunk)).not.toBeNull();
        expect(await evaluate(model, dataset.testX, dataset.testY, 'classification', chunk)).toEqual(viaTfjs);
      }
    } finally {
      model.dispose();
      dataset.dispose();
    }
  });

  it('the cpu backend gets no direct step', async () => {
    await tf.setBackend('cpu');
    expect((await runOnce(configOf({}), true)).direct).toBe(false);
    await tf.setBackend(NATIVE);
  });
});

/** The contract every registered dataset meets, run on small settings of each. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { InternalError } from '../errors.ts';
import { FASHION_MNIST_DIR, FASHION_MNIST_PACKAGE } from './fashion-mnist.ts';
import { DATASETS, loadDataset, type DataConfig, type Dataset, type DatasetName } from './index.ts';
import { requireSystem } from '../../test/support/require-system.ts';
import { firstMismatch } from '../../test/support/first-mismatch.ts';
import { writeExampleData } from '../../scripts/examples/example-data.ts';

const EXAMPLES = join(mkdtempSync(join(tmpdir(), 'batchlab-contract-')), 'data');

const fashionPresent = existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
const fashionSkipped = requireSystem(FASHION_MNIST_PACKAGE, fashionPresent);

const SMALL: { [N in DatasetName]: Extract<DataConfig, { name: N }> } = {
  mnist: { name: 'mnist', trainSize: 200, testSize: 50, seed: 1 },
  'fashion-mnist': { name: 'fashion-mnist', dir: FASHION_MNIST_DIR, trainSize: 200, testSize: 50, seed: 1 },
  teacher: { name: 'teacher', inputDim: 6, outputDim: 2, hidden: 5, noise: 0.1, trainSize: 40, testSize: 20, seed: 1 },
  blobs: { name: 'blobs', classes: 3, dim: 4, spread: 1, trainSize: 40, testSize: 20, seed: 1 },
  // The example files (scripts/examples/example-data.ts), written once to EXAMPLES below.
  csv: { name: 'csv', path: join(EXAMPLES, 'shapes.csv'), label: 'label', divideBy: 255, trainSize: 40, testSize: 20, seed: 1 },
  npy: { name: 'npy', x: join(EXAMPLES, 'npy/x.npy'), y: join(EXAMPLES, 'npy/y.npy'), testX: join(EXAMPLES, 'npy/x_test.npy'), testY: join(EXAMPLES, 'npy/y_test.npy'), divideBy: 255, trainSize: 40, testSize: 20, seed: 1 },
  npz: { name: 'npz', path: join(EXAMPLES, 'shapes.npz'), x: 'x_train', y: 'y_train', testX: 'x_test', testY: 'y_test', divideBy: 255, trainSize: 40, testSize: 20, seed: 1 },
  idx: { name: 'idx', dir: join(EXAMPLES, 'idx'), files: { trainImages: 'train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte', testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte' }, trainSize: 40, testSize: 20, seed: 1 },
  images: { name: 'images', dir: join(EXAMPLES, 'images/train'), testDir: join(EXAMPLES, 'images/test'), height: 12, width: 12, channels: 1, trainSize: 40, testSize: 20, seed: 1 },
};

const entries = (Object.keys(DATASETS) as DatasetName[]).filter((name) => name !== 'fashion-mnist' || !fashionSkipped);

beforeAll(async () => {
  await tf.setBackend('cpu');
  await writeExampleData(EXAMPLES);
});
afterAll(async () => {
  await tf.setBackend('cpu');
  rmSync(join(EXAMPLES, '..'), { recursive: true, force: true });
});

async function values(ds: Dataset): Promise<Float32Array[]> {
  return Promise.all([ds.trainX, ds.trainY, ds.testX, ds.testY].map(async (t) => (await t.data()) as Float32Array));
}

describe.each(entries)('dataset %s', (name) => {
  useLeakCheck();
  it('has consistent shapes, float32 values, valid targets, and frees its tensors', async () => {
    const cfg = SMALL[name];
    const ds = await loadDataset(cfg);
    expect(ds.name).toBe(name);
    expect(ds.task).toBe(DATASETS[name].task);
    expect(DATASETS[name].describe.length).toBeGreaterThan(10);
    const { trainSize, testSize } = cfg as { trainSize: number; testSize: number };
    expect(ds.trainX.shape).toEqual([trainSize, ...ds.inputShape]);
    expect(ds.testX.shape).toEqual([testSize, ...ds.inputShape]);
    expect(ds.trainY.shape).toEqual([trainSize, ds.numOutputs]);
    expect(ds.testY.shape).toEqual([testSize, ds.numOutputs]);
    for (const t of [ds.trainX, ds.trainY, ds.testX, ds.testY]) expect(t.dtype).toBe('float32');
    const [trainX, trainY, testX, testY] = await values(ds);
    for (const v of [trainX, testX, trainY, testY]) expect(v.every(Number.isFinite)).toBe(true);
    if (ds.task === 'classification') {
      const k = ds.numOutputs;
      const labels = ds.trainLabels;
      expect(labels?.length).toBe(trainSize);
      for (const [y, n] of [[trainY, trainSize], [testY, testSize]] as const) {
        for (let r = 0; r < n; r++) {
          const row = y.subarray(r * k, (r + 1) * k);
          expect(row.filter((v) => v === 1).length).toBe(1);
          expect(row.filter((v) => v === 0).length).toBe(k - 1);
          if (y === trainY) expect(row.indexOf(1)).toBe(labels?.[r]);
        }
      }
    } else {
      expect(ds.trainLabels).toBeUndefined();
    }
    ds.dispose();
    ds.dispose();
  });

  it('gives identical data for the same seed and different data for another', async () => {
    const cfg = SMALL[name];
    const [a, b, c] = await Promise.all([loadDataset(cfg), loadDataset(cfg), loadDataset({ ...cfg, seed: 2 })]);
    const [va, vb, vc] = await Promise.all([a, b, c].map(values));
    expect(va.map((v, i) => firstMismatch(v, vb[i]))).toEqual([-1, -1, -1, -1]);
    expect(firstMismatch(va[0], vc[0])).not.toBe(-1);
    for (const ds of [a, b, c]) ds.dispose();
  });
});

describe('loadDataset', () => {
  it('puts the tensors on the current backend', async () => {
    await tf.setBackend('wasm');
    const wasm = tf.findBackend('wasm');
    const cpu = tf.findBackend('cpu');
    const [wasmBefore, cpuBefore] = [wasm.numDataIds(), cpu.numDataIds()];
    const ds = await loadDataset(SMALL.blobs);
    expect(wasm.numDataIds() - wasmBefore).toBe(4);
    expect(cpu.numDataIds()).toBe(cpuBefore);
    ds.dispose();
    expect(wasm.numDataIds()).toBe(wasmBefore);
    await tf.setBackend('cpu');
  });

  it('treats an unknown dataset name as a bug (the schema refuses it at data.name first), listing the known ones', async () => {
    const err = await loadDataset({ name: 'cifar' } as unknown as DataConfig).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    for (const name of Object.keys(DATASETS)) expect((err as InternalError).message).toContain(name);
  });
});

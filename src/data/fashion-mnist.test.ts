import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { EnvironmentError, UsageError } from '../errors.ts';
import { FASHION_MNIST_DIR, FASHION_MNIST_FILES, FASHION_MNIST_PACKAGE, loadFashionMnist } from './fashion-mnist.ts';
import { encodeIdx, writeIdxFile } from '../../test/support/idx-fixtures.ts';
import { requireSystem } from '../../test/support/require-system.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A fake Fashion-MNIST of 4x3 images whose first two pixels encode the row index (so a loaded
 * row can be traced back to the file) and whose labels are uneven across the 10 classes.
 */
function fakeSet(count: number, labelOf: (i: number) => number) {
  const pixels = new Uint8Array(count * 12);
  for (let i = 0; i < count; i++) {
    pixels[i * 12] = i % 256;
    pixels[i * 12 + 1] = Math.floor(i / 256);
    for (let k = 2; k < 12; k++) pixels[i * 12 + k] = (i * 7 + k * 31) % 256;
  }
  return { pixels, labels: Uint8Array.from({ length: count }, (_, i) => labelOf(i)) };
}
const trainLabel = (i: number) => (i * 7) % 10 < 3 ? 0 : (i * 3) % 10; // class 0 over-represented
const testLabel = (i: number) => (i * 9) % 10;
const fakeTrain = fakeSet(300, trainLabel);
const fakeTest = fakeSet(80, testLabel);

async function writeFake(dir: string, opts: { gz?: boolean; trainLabels?: ArrayLike<number>; trainLabelDims?: number[] } = {}) {
  const gz = opts.gz ?? true;
  const name = (base: string) => join(dir, gz ? `${base}.gz` : base);
  const labels = opts.trainLabels ?? fakeTrain.labels;
  await mkdir(dir, { recursive: true });
  await writeIdxFile(name(FASHION_MNIST_FILES.trainImages), encodeIdx([300, 4, 3], fakeTrain.pixels), gz);
  await writeIdxFile(name(FASHION_MNIST_FILES.trainLabels), encodeIdx(opts.trainLabelDims ?? [labels.length], labels), gz);
  await writeIdxFile(name(FASHION_MNIST_FILES.testImages), encodeIdx([80, 4, 3], fakeTest.pixels), gz);
  await writeIdxFile(name(FASHION_MNIST_FILES.testLabels), encodeIdx([80], fakeTest.labels), gz);
}

/** Original row index of each loaded image, decoded from its first two pixels. */
async function sourceRows(x: tf.Tensor): Promise<number[]> {
  const values = await x.data();
  const rows: number[] = [];
  for (let r = 0; r < x.shape[0]; r++) rows.push(Math.round(values[r * 12] * 255) + 256 * Math.round(values[r * 12 + 1] * 255));
  return rows;
}

async function argmaxRows(y: tf.Tensor): Promise<number[]> {
  const values = await y.data();
  const classes = y.shape[1] as number;
  return Array.from({ length: y.shape[0] }, (_, r) => {
    const row = Array.from(values.subarray(r * classes, (r + 1) * classes));
    expect(row.filter((v) => v === 1).length + row.filter((v) => v === 0).length).toBe(classes);
    return row.indexOf(1);
  });
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'batchlab-fashion-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadFashionMnist on small IDX files', () => {
  useLeakCheck();
  it('says how to install the data when files are missing', async () => {
    const empty = join(root, 'empty');
    const err = await loadFashionMnist({ name: 'fashion-mnist', dir: empty, seed: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    const message = (err as Error).message;
    expect(message).toContain(`apt-get install ${FASHION_MNIST_PACKAGE}`);
    expect(message).toContain('data.dir');
    expect(message).toContain(empty);
    for (const base of Object.values(FASHION_MNIST_FILES)) expect(message).toContain(base);
  });

  it.each([true, false])('loads all rows in file order, scaled to [0, 1] (gzipped: %s)', async (gz) => {
    const dir = join(root, gz ? 'full-gz' : 'full-raw');
    await writeFake(dir, { gz });
    const ds = await loadFashionMnist({ name: 'fashion-mnist', dir, seed: 0 });
    expect(ds.inputShape).toEqual([4, 3, 1]);
    expect(ds.numOutputs).toBe(10);
    expect(ds.trainX.shape).toEqual([300, 4, 3, 1]);
    expect(ds.testX.shape).toEqual([80, 4, 3, 1]);
    expect([ds.trainX.dtype, ds.trainY.dtype, ds.testX.dtype, ds.testY.dtype]).toEqual(Array(4).fill('float32'));
    const x = await ds.trainX.data();
    for (let k = 0; k < x.length; k++) {
      if (x[k] !== Math.fround(fakeTrain.pixels[k] / 255)) throw new Error(`pixel ${k}: ${x[k]} vs ${fakeTrain.pixels[k]}/255`);
    }
    expect(await argmaxRows(ds.trainY)).toEqual([...fakeTrain.labels]);
    expect(await argmaxRows(ds.testY)).toEqual([...fakeTest.labels]);
    expect([...(ds.trainLabels ?? [])]).toEqual([...fakeTrain.labels]);
    ds.dispose();
  });

  it('takes seeded stratified subsets of train and test', async () => {
    const dir = join(root, 'subsets');
    await writeFake(dir);
    const load = (seed: number) => loadFashionMnist({ name: 'fashion-mnist', dir, trainSize: 100, testSize: 40, seed });
    const a = await load(3);
    const b = await load(3);
    const c = await load(4);
    const trainRows = await sourceRows(a.trainX);
    const testRows = await sourceRows(a.testX);
    expect(await sourceRows(b.trainX)).toEqual(trainRows);
    expect(await sourceRows(b.testX)).toEqual(testRows);
    expect(await sourceRows(c.trainX)).not.toEqual(trainRows);
    expect(new Set(trainRows).size).toBe(100);
    expect(new Set(testRows).size).toBe(40);
    // Labels travel with their images.
    expect(await argmaxRows(a.trainY)).toEqual(trainRows.map(trainLabel));
    expect([...(a.trainLabels ?? [])]).toEqual(trainRows.map(trainLabel));
    expect(await argmaxRows(a.testY)).toEqual(testRows.map(testLabel));
    // Per-class counts within one of the proportional share.
    for (let cls = 0; cls < 10; cls++) {
      const share = (fakeTrain.labels.filter((l) => l === cls).length * 100) / 300;
      expect(Math.abs(trainRows.filter((r) => trainLabel(r) === cls).length - share)).toBeLessThan(1);
      const testShare = (fakeTest.labels.filter((l) => l === cls).length * 40) / 80;
      expect(Math.abs(testRows.filter((r) => testLabel(r) === cls).length - testShare)).toBeLessThan(1);
    }
    for (const ds of [a, b, c]) ds.dispose();
  });

  it('rejects subsets larger than the files hold as usage errors at data.*', async () => {
    const dir = join(root, 'too-many');
    await writeFake(dir);
    const err = await loadFashionMnist({ name: 'fashion-mnist', dir, trainSize: 301, testSize: 81, seed: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues.map((i) => i.path)).toEqual(['data.trainSize', 'data.testSize']);
  });

  it.each([
    ['a count mismatch', { trainLabels: fakeTrain.labels.subarray(0, 299) }, /expected 300 labels, one per image of .*, got 299 in/],
    ['a label outside 0..9', { trainLabels: Uint8Array.from(fakeTrain.labels, (l, i) => (i === 17 ? 10 : l)) }, /label 10 at 17/],
    ['2-d labels', { trainLabelDims: [150, 2] }, /expected labels \[count\] in .*, got \[150, 2\]/],
  ])('names the file on %s', async (name, opts, pattern) => {
    const dir = join(root, `corrupt-${name.replace(/\W+/g, '-')}`);
    await writeFake(dir, opts);
    const err = await loadFashionMnist({ name: 'fashion-mnist', dir, seed: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).toContain(FASHION_MNIST_FILES.trainLabels);
  });

  it('reads a replaced file again instead of serving the cached copy', async () => {
    const dir = join(root, 'replaced');
    await writeFake(dir);
    const first = await loadFashionMnist({ name: 'fashion-mnist', dir, seed: 0 });
    expect(first.trainX.shape[0]).toBe(300);
    first.dispose();
    await writeFake(dir, { trainLabels: fakeTrain.labels.subarray(0, 299) });
    await expect(loadFashionMnist({ name: 'fashion-mnist', dir, seed: 0 })).rejects.toThrow(EnvironmentError);
  });
});

const present = existsSync(join(FASHION_MNIST_DIR, `${FASHION_MNIST_FILES.trainImages}.gz`));
const skipFashion = requireSystem(FASHION_MNIST_PACKAGE, present);

describe.skipIf(skipFashion)('Fashion-MNIST from the Debian package', () => {
  useLeakCheck();
  it('loads the full 60,000 + 10,000 images, 6,000 / 1,000 per class, pixels in [0, 1]', async () => {
    const ds = await loadFashionMnist({ name: 'fashion-mnist', dir: FASHION_MNIST_DIR, seed: 0 });
    expect(ds.trainX.shape).toEqual([60000, 28, 28, 1]);
    expect(ds.testX.shape).toEqual([10000, 28, 28, 1]);
    expect(ds.trainY.shape).toEqual([60000, 10]);
    const stats = tf.tidy(() => [ds.trainY.sum(0), ds.testY.sum(0), ds.trainX.min(), ds.trainX.max()]);
    const [perClass, testPerClass, min, max] = await Promise.all(stats.map((t) => t.data()));
    expect([...perClass]).toEqual(Array(10).fill(6000));
    expect([...testPerClass]).toEqual(Array(10).fill(1000));
    expect([min[0], max[0]]).toEqual([0, 1]);
    tf.dispose(stats);
    ds.dispose();
  });

  it('takes exactly balanced subsets of 1,000 / 500', async () => {
    const ds = await loadFashionMnist({ name: 'fashion-mnist', dir: FASHION_MNIST_DIR, trainSize: 1000, testSize: 500, seed: 1 });
    const counts = tf.tidy(() => [ds.trainY.sum(0), ds.testY.sum(0)]);
    const [train, test] = await Promise.all(counts.map((t) => t.data()));
    expect([...train]).toEqual(Array(10).fill(100));
    expect([...test]).toEqual(Array(10).fill(50));
    tf.dispose(counts);
    ds.dispose();
  });
});

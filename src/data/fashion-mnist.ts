/**
 * Fashion-MNIST from the four IDX files of Debian's `dataset-fashion-mnist` (or any folder with
 * the same names, raw or .gz): 60,000 train and 10,000 test images of 28x28, 10 classes.
 */
import { resolve } from 'node:path';
import type { DataSpec } from '../config/schema.ts';
import { EnvironmentError, UsageError } from '../errors.ts';
import { gatherLabels, gatherRows, oneHot, toDataset, type Dataset } from './dataset.ts';
import { idxPairProblem, locateIdxFile, readIdxFile, type IdxArray, type IdxFile } from './idx.ts';
import { deriveSeed } from '../core/prng.ts';
import { subsetRows } from './stratified-split.ts';

/**
 * Validated settings (config/schema.ts): `dir` holds the IDX files; `trainSize`/`testSize` take
 * stratified subsets of the official sets, absent = all of them, in file order.
 */
export type FashionMnistConfig = Extract<DataSpec, { name: 'fashion-mnist' }>;

/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
/** Class names, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

type Part = keyof typeof FASHION_MNIST_FILES;

/** One image set with its labels, as stored: uint8 pixels [count * rows * cols], labels [count]. */
export interface IdxImageSet {
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

export interface FashionMnistArrays {
  train: IdxImageSet;
  test: IdxImageSet;
}

const CLASSES = FASHION_MNIST_CLASSES.length;

// Gunzipping the 26 MB train images takes a noticeable fraction of a second, and a sweep loads
// the same data for every run: keep the raw bytes per folder, keyed also by the files' size and
// mtime so a replaced file is read again.
const cache = new Map<string, Promise<FashionMnistArrays>>();

function imageSet(images: IdxArray, labels: IdxArray, imagesPath: string, labelsPath: string): IdxImageSet {
  const problem = idxPairProblem(images, labels, { images: imagesPath, labels: labelsPath }, false);
  if (problem) throw new EnvironmentError(problem.message);
  const bad = labels.data.findIndex((label) => label >= CLASSES);
  if (bad >= 0) {
    throw new EnvironmentError(`${labelsPath} is corrupt: label ${labels.data[bad]} at ${bad} is not in 0..${CLASSES - 1}`);
  }
  return { rows: images.dims[1], cols: images.dims[2], pixels: images.data, labels: labels.data };
}

const PARTS = Object.keys(FASHION_MNIST_FILES) as Part[];

/** Each of the four files in `folder` (raw or .gz), in FASHION_MNIST_FILES order; undefined when missing. */
function locateAll(folder: string): Promise<(IdxFile | undefined)[]> {
  return Promise.all(PARTS.map((part) => locateIdxFile(folder, FASHION_MNIST_FILES[part])));
}

/** Each of the four files in `dir` (raw or .gz): its path, or undefined when missing. */
export async function findFashionMnistFiles(dir: string): Promise<Record<Part, string | undefined>> {
  const found = await locateAll(resolve(dir));
  return Object.fromEntries(PARTS.map((part, i) => [part, found[i]?.path])) as Record<Part, string | undefined>;
}

/**
 * Reads and checks the four IDX files in `dir` (cached per process). Missing files throw an
 * EnvironmentError saying how to install them or where to point `data.dir`.
 */
export async function readFashionMnistArrays(dir: string = FASHION_MNIST_DIR): Promise<FashionMnistArrays> {
  const folder = resolve(dir);
  const found = await locateAll(folder);
  const missing = PARTS.filter((_, i) => found[i] === undefined).map((part) => FASHION_MNIST_FILES[part]);
  if (missing.length > 0) {
    throw new EnvironmentError(
      `Fashion-MNIST not found in ${folder}: missing ${missing.join(', ')} (raw or .gz). ` +
        `Install the Debian package ${FASHION_MNIST_PACKAGE} (apt-get install ${FASHION_MNIST_PACKAGE}), ` +
        'or set the option data.dir to a folder holding the four IDX files.',
    );
  }
  const files = found as IdxFile[];
  const key = files.map((f) => f.stamp).join('|');
  let arrays = cache.get(key);
  if (arrays === undefined) {
    arrays = (async () => {
      const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(files.map((f) => readIdxFile(f.path)));
      const train = imageSet(trainImages, trainLabels, files[0].path, files[1].path);
      const test = imageSet(testImages, testLabels, files[2].path, files[3].path);
      if (train.rows !== test.rows || train.cols !== test.cols) {
        throw new EnvironmentError(
          `${files[0].path} holds ${train.rows}x${train.cols} images but ${files[2].path} holds ${test.rows}x${test.cols}`,
        );
      }
      return { train, test };
    })();
    cache.set(key, arrays);
    arrays.catch(() => cache.delete(key));
  }
  return arrays;
}

/**
 * Fashion-MNIST as images [N, rows, cols, 1] scaled to [0, 1] with one-hot labels [N, 10].
 * trainSize/testSize (optional) take seeded stratified subsets of the official train/test sets.
 */
export async function loadFashionMnist(cfg: FashionMnistConfig): Promise<Dataset> {
  const { train, test } = await readFashionMnistArrays(cfg.dir);
  const tooMany = [
    { key: 'trainSize', size: cfg.trainSize, have: train.labels.length },
    { key: 'testSize', size: cfg.testSize, have: test.labels.length },
  ].filter((s) => s.size !== undefined && s.size > s.have);
  if (tooMany.length > 0) {
    throw new UsageError('invalid fashion-mnist dataset settings',
      tooMany.map((s) => ({ path: `data.${s.key}`, message: `expected at most ${s.have} (the examples in the files), got ${s.size}` })));
  }
  const trainRows = subsetRows(train.labels, cfg.trainSize, deriveSeed(cfg.seed, 'fashion-mnist-train'));
  const testRows = subsetRows(test.labels, cfg.testSize, deriveSeed(cfg.seed, 'fashion-mnist-test'));
  const trainLabels = gatherLabels(train.labels, trainRows);
  const testLabels = gatherLabels(test.labels, testRows);
  const pixels = train.rows * train.cols;
  return toDataset(
    { name: 'fashion-mnist', task: 'classification', inputShape: [train.rows, train.cols, 1], numOutputs: CLASSES, trainLabels },
    {
      trainX: gatherRows(train.pixels, pixels, trainRows, 1 / 255),
      trainY: oneHot(trainLabels, CLASSES),
      testX: gatherRows(test.pixels, pixels, testRows, 1 / 255),
      testY: oneHot(testLabels, CLASSES),
    },
  );
}

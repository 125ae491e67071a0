/**
 * Datasets from the user's files (csv, npy, npz, idx, images): read once per process, checked,
 * then cut into seeded stratified train/test subsets as the built-in datasets are.
 *
 * With a test part in the files, trainSize/testSize take stratified subsets of each part (absent
 * = all of it, in file order). With one part, it is split in two: testSize absent = a fifth of
 * the examples (at least one), trainSize absent = the rest.
 */
import type { FileDataSpec } from '../../config/schema.ts';
import { deriveSeed } from '../../core/prng.ts';
import { UsageError, type Issue } from '../../errors.ts';
import { gatherLabels, gatherRows, oneHot, toDataset, type Dataset } from '../dataset.ts';
import { stratifiedSplit, subsetRows } from '../stratified-split.ts';
import { largestLabel, type FileArrays } from './file-arrays.ts';
import { readCsvArrays } from './read-csv.ts';
import { readIdxFolderArrays } from './read-idx-folder.ts';
import { readImageArrays } from './read-images.ts';
import { readNpyArrays, readNpzArrays } from './read-npy.ts';

/** Row indices of the train and test examples, and the number of classes. */
export interface FilePlan {
  train: Int32Array;
  test: Int32Array;
  classes: number;
}

const READERS: { [N in FileDataSpec['name']]: (cfg: Extract<FileDataSpec, { name: N }>) => Promise<FileArrays> } = {
  csv: readCsvArrays,
  npy: readNpyArrays,
  npz: readNpzArrays,
  idx: readIdxFolderArrays,
  images: readImageArrays,
};

/** The settings that decide what is read, not which subsets are taken; relative paths are read from the working folder. */
function readKey(cfg: FileDataSpec): string {
  const { trainSize: _train, testSize: _test, seed: _seed, validationSize: _validation, ...read } = cfg;
  return JSON.stringify({ read, cwd: process.cwd() });
}

// A sweep checks its data before the first run and then loads it for every data configuration;
// the files are read once per process.
const cache = new Map<string, Promise<FileArrays>>();

/** The checked arrays of `cfg`'s files (cached per process); problems throw one UsageError. */
export function readFileArrays(cfg: FileDataSpec): Promise<FileArrays> {
  const key = readKey(cfg);
  let arrays = cache.get(key);
  if (arrays === undefined) {
    const read = READERS[cfg.name] as (c: FileDataSpec) => Promise<FileArrays>;
    arrays = read(cfg);
    cache.set(key, arrays);
    arrays.catch(() => cache.delete(key));
  }
  return arrays;
}

/** Sizes of the two sides when one part of `n` examples is split: testSize absent = n / 5 (at least 1), trainSize absent = the rest. */
function splitSizes(cfg: FileDataSpec, n: number): { train: number; test: number } {
  const test = cfg.testSize ?? Math.max(1, Math.floor(n / 5));
  return { train: cfg.trainSize ?? n - test, test };
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Which examples form the train and test sets, and how many classes there are. Pure. Issues:
 * sizes larger than the files hold (data.trainSize, data.testSize), labels outside
 * 0..classes-1 (at the field naming the labels' file), too few classes.
 */
export function planFileSplit(arrays: FileArrays, cfg: FileDataSpec): { plan?: FilePlan; issues: Issue[] } {
  const issues: Issue[] = [];
  const given = 'classes' in cfg ? cfg.classes : undefined;
  const classes = arrays.classes ?? given ?? largestLabel([arrays.train, arrays.test]) + 1;
  for (const part of [arrays.train, arrays.test]) {
    if (!part) continue;
    const at = part.labels.findIndex((l) => l >= classes);
    if (at >= 0) {
      issues.push({
        path: part.labelSource.path,
        message: `expected labels in 0..${classes - 1} (data.classes = ${classes}), got ${part.labels[at]} at example ${at} of ${part.labelSource.file}`,
      });
    }
  }
  if (classes < 2) issues.push({ path: given === undefined ? arrays.train.labelSource.path : 'data.classes', message: `expected at least 2 classes, got ${classes}` });
  const nTrain = arrays.train.labels.length;
  const nTest = arrays.test?.labels.length;
  const seed = cfg.seed;
  if (nTest !== undefined) {
    if (cfg.trainSize !== undefined && cfg.trainSize > nTrain) issues.push({ path: 'data.trainSize', message: `expected at most the ${count(nTrain)} training examples in the files, got ${cfg.trainSize}` });
    if (cfg.testSize !== undefined && cfg.testSize > nTest) issues.push({ path: 'data.testSize', message: `expected at most the ${count(nTest)} test examples in the files, got ${cfg.testSize}` });
    if (nTest === 0) issues.push({ path: arrays.test!.labelSource.path, message: 'expected at least one test example, got none' });
  } else {
    const { train, test } = splitSizes(cfg, nTrain);
    if (train + test > nTrain || train < 1) {
      issues.push({ path: cfg.trainSize !== undefined ? 'data.trainSize' : 'data.testSize', message: `expected trainSize + testSize <= the ${count(nTrain)} examples in the files (at least one for training), got ${train} + ${test}` });
    }
  }
  if (cfg.validationSize !== undefined && issues.length === 0) {
    const train = nTest !== undefined ? cfg.trainSize ?? nTrain : splitSizes(cfg, nTrain).train;
    if (cfg.validationSize >= train) issues.push({ path: 'data.validationSize', message: `expected fewer than the ${count(train)} train examples it is carved from, got ${cfg.validationSize}` });
  }
  if (issues.length) return { issues };
  if (nTest !== undefined) {
    const train = subsetRows(arrays.train.labels, cfg.trainSize, deriveSeed(seed, 'file-train'));
    return { plan: { train, test: subsetRows(arrays.test!.labels, cfg.testSize, deriveSeed(seed, 'file-test')), classes }, issues };
  }
  const { train, test } = splitSizes(cfg, nTrain);
  const split = stratifiedSplit(arrays.train.labels, train, test, deriveSeed(seed, 'file-split'));
  return { plan: { ...split, classes }, issues };
}

/** What preflight needs of a file dataset: its sizes, example shape and classes, or every issue. */
export async function inspectFileData(cfg: FileDataSpec): Promise<{ train: number; test: number; inputShape: number[]; classes: number } | { issues: Issue[] }> {
  let arrays: FileArrays;
  try {
    arrays = await readFileArrays(cfg);
  } catch (err) {
    if (err instanceof UsageError) return { issues: err.issues };
    throw err;
  }
  const { plan, issues } = planFileSplit(arrays, cfg);
  if (!plan) return { issues };
  // The validation split (data/validation-split.ts) is carved from the train examples.
  return { train: plan.train.length - (cfg.validationSize ?? 0), test: plan.test.length, inputShape: arrays.inputShape, classes: plan.classes };
}

/** The dataset `cfg` names as float32 tensors: examples [N, ...inputShape] scaled, one-hot labels. */
export async function loadFileDataset(cfg: FileDataSpec): Promise<Dataset> {
  const arrays = await readFileArrays(cfg);
  const { plan, issues } = planFileSplit(arrays, cfg);
  if (!plan) throw new UsageError(`invalid ${cfg.name} dataset`, issues);
  const rowSize = arrays.inputShape.reduce((a, b) => a * b, 1);
  const testSource = arrays.test ?? arrays.train;
  const trainLabels = gatherLabels(arrays.train.labels, plan.train);
  const testLabels = gatherLabels(testSource.labels, plan.test);
  return toDataset(
    { name: cfg.name, task: 'classification', inputShape: arrays.inputShape, numOutputs: plan.classes, trainLabels },
    {
      trainX: gatherRows(arrays.train.x, rowSize, plan.train, arrays.scale),
      trainY: oneHot(trainLabels, plan.classes),
      testX: gatherRows(testSource.x, rowSize, plan.test, arrays.scale),
      testY: oneHot(testLabels, plan.classes),
    },
  );
}

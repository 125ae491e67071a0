/**
 * Checks made before `run` or `sweep` writes anything: every planned run against the size of its
 * data set (read from the spec, or from the IDX file headers for Fashion-MNIST), and the output
 * folder. Every problem of every run is collected and thrown as one UsageError (exit 2).
 * The spec itself (types, cross-field rules) was validated when it was read.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isFileData, type DataSpec, type Spec, type UserModelSpec } from '../config/schema.ts';
import { readIdxDims } from '../data/idx.ts';
import { checkOutDir } from '../results/out-dir.ts';
import { EnvironmentError, UsageError, type Issue } from '../errors.ts';
import type { RunConfig } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';

/** Examples in a data set's train and test splits, as a run will load them. */
export interface DataSize {
  train: number;
  test: number;
  /** One example's shape and the classes, where the files tell them (file datasets). */
  inputShape?: number[];
  classes?: number;
}

const count = (n: number) => n.toLocaleString('en-US');
const dataKey = (d: DataSpec) => JSON.stringify(d);

/** Where a run's batch size was written in the spec: `sweep.batchSize[i]=B`, an arm's list, or train.batchSize. */
function batchSizePath(spec: Spec, run: PlannedRun<RunConfig>): string {
  const b = run.config.train.batchSize;
  const arm = run.meta.axes.arm;
  const armIndex = spec.sweep?.arms?.findIndex((a) => a.name === arm) ?? -1;
  const armList = armIndex >= 0 ? spec.sweep!.arms![armIndex]!.set['sweep.batchSize'] : undefined;
  if (Array.isArray(armList) && armList.includes(b)) return `sweep.arms[${armIndex}].set.sweep.batchSize[${armList.indexOf(b)}]=${b}`;
  const i = spec.sweep?.batchSize.indexOf(b) ?? -1;
  return i >= 0 ? `sweep.batchSize[${i}]=${b}` : `train.batchSize=${b}`;
}

/** Which run, when the data set size is not the base spec's (an axis or arm changed the data). */
function context(spec: Spec, run: PlannedRun<RunConfig>): string {
  if (dataKey(run.config.data) === dataKey(spec.data)) return '';
  const where = Object.entries(run.meta.axes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return where ? ` (in the runs with ${where})` : '';
}

/**
 * Issues for runs that cannot train on their data: a batch size or noiseScale.bigBatch larger than
 * the training set. `sizeOf` gives each run's data set size (undefined: unknown, already reported).
 * Pure; duplicates (one per seed, rule, LR) are merged.
 */
export function checkRunsFitData(spec: Spec, runs: readonly PlannedRun<RunConfig>[], sizeOf: (d: DataSpec) => DataSize | undefined): Issue[] {
  const issues = new Map<string, Issue>();
  const add = (i: Issue) => issues.set(`${i.path}|${i.message}`, i);
  for (const run of runs) {
    const size = sizeOf(run.config.data);
    if (!size) continue;
    const { batchSize, noiseScale } = run.config.train;
    if (batchSize > size.train) {
      add({ path: batchSizePath(spec, run), message: `larger than the ${count(size.train)} training examples${context(spec, run)}` });
    }
    if (noiseScale && noiseScale.bigBatch > size.train) {
      add({
        path: 'train.noiseScale.bigBatch',
        message: `expected at most the ${count(size.train)} training examples, got ${noiseScale.bigBatch}${context(spec, run)}`,
      });
    }
  }
  return [...issues.values()];
}

/** The IDX headers of a Fashion-MNIST folder -> its size, or issues at data.dir / data.trainSize / data.testSize. */
async function fashionSize(d: Extract<DataSpec, { name: 'fashion-mnist' }>): Promise<{ size?: DataSize; issues: Issue[] }> {
  // Loaded only for Fashion-MNIST specs: the module brings tfjs with it.
  const { FASHION_MNIST_FILES, FASHION_MNIST_PACKAGE, findFashionMnistFiles } = await import('../data/fashion-mnist.ts');
  const folder = resolve(d.dir);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) {
    return { issues: [{ path: 'data.dir', message: `expected a folder holding the Fashion-MNIST IDX files, got ${JSON.stringify(d.dir)} (${info ? 'not a folder' : 'no such folder'}; apt-get install ${FASHION_MNIST_PACKAGE} puts them in /usr/share/datasets/fashion-mnist)` }] };
  }
  const files = await findFashionMnistFiles(folder);
  const missing = (Object.keys(files) as (keyof typeof files)[]).filter((p) => !files[p]).map((p) => FASHION_MNIST_FILES[p]);
  if (missing.length) {
    return { issues: [{ path: 'data.dir', message: `expected the four Fashion-MNIST IDX files in ${JSON.stringify(d.dir)}, missing ${missing.join(', ')} (raw or .gz)` }] };
  }
  let train: number;
  let test: number;
  let side: number[];
  try {
    const dims = await Promise.all([readIdxDims(files.trainImages!), readIdxDims(files.testImages!)]);
    [train, test] = dims.map((x) => x[0]!);
    side = dims[0].slice(1);
  } catch (err) {
    if (err instanceof EnvironmentError) return { issues: [{ path: 'data.dir', message: err.message }] };
    throw err;
  }
  const issues: Issue[] = [];
  if (d.trainSize !== undefined && d.trainSize > train!) issues.push({ path: 'data.trainSize', message: `expected at most the ${count(train!)} training images in ${d.dir}, got ${d.trainSize}` });
  if (d.testSize !== undefined && d.testSize > test!) issues.push({ path: 'data.testSize', message: `expected at most the ${count(test!)} test images in ${d.dir}, got ${d.testSize}` });
  return { size: { train: Math.min(d.trainSize ?? train!, train!), test: Math.min(d.testSize ?? test!, test!), inputShape: [...side!, 1], classes: 10 }, issues };
}

/** The size of every distinct data set the runs use; file-backed ones are read from their headers. */
export async function resolveDataSizes(runs: readonly PlannedRun<RunConfig>[]): Promise<{ sizes: Map<string, DataSize>; issues: Issue[] }> {
  const sizes = new Map<string, DataSize>();
  const issues: Issue[] = [];
  const distinct = new Map(runs.map((r) => [dataKey(r.config.data), r.config.data]));
  for (const [key, d] of distinct) {
    if (d.name === 'fashion-mnist') {
      const r = await fashionSize(d);
      issues.push(...r.issues);
      if (r.size) sizes.set(key, r.size);
    } else if (isFileData(d)) {
      // Loaded only for file datasets: the readers bring their decoders with them.
      const { inspectFileData } = await import('../data/files/file-dataset.ts');
      const r = await inspectFileData(d);
      if ('issues' in r) issues.push(...r.issues);
      else sizes.set(key, r);
    } else {
      const shape = d.name === 'mnist' ? { inputShape: [28, 28, 1], classes: 10 }
        : d.name === 'teacher' ? { inputShape: [d.inputDim], classes: d.outputDim }
          : { inputShape: [d.dim], classes: d.classes };
      sizes.set(key, { train: d.trainSize, test: d.testSize, ...shape });
    }
  }
  return { sizes, issues };
}


/**
 * Issues for built-in conv models on file data whose examples are not images [height, width,
 * channels]: known only once the files are read. Pure.
 */
export function checkModelsFitData(runs: readonly PlannedRun<RunConfig>[], sizeOf: (d: DataSpec) => DataSize | undefined): Issue[] {
  const issues = new Map<string, Issue>();
  for (const run of runs) {
    const shape = sizeOf(run.config.data)?.inputShape;
    const { model, data } = run.config;
    if (shape && (model.name === 'cnn' || model.name === 'resnet') && shape.length !== 3) {
      const issue = { path: 'model.name', message: `expected mlp for the vector data of ${data.name} (examples of shape [${shape.join(', ')}]), got ${JSON.stringify(model.name)}` };
      issues.set(issue.message, issue);
    }
  }
  return [...issues.values()];
}

/**
 * Builds each distinct user model (model: layers | module) for its data once, on the cpu backend,
 * and disposes it: refused layers, a model that does not fit the data's shape or classes, and
 * unreadable files become issues here, before anything is written.
 */
export async function checkUserModels(runs: readonly PlannedRun<RunConfig>[], sizeOf: (d: DataSpec) => DataSize | undefined): Promise<Issue[]> {
  const distinct = new Map<string, PlannedRun<RunConfig>>();
  for (const run of runs) {
    const { model, data } = run.config;
    if (model.name === 'layers' || model.name === 'module') distinct.set(JSON.stringify([model, data]), run);
  }
  if (distinct.size === 0) return [];
  // Loaded only for user models: building one needs tfjs (imported there statically: a dynamic
  // import of tfjs's CommonJS build would give only its default export in the CLI bundle).
  const { buildUserModel, selectCpuBackend } = await import('../models/user/build-user-model.ts');
  await selectCpuBackend();
  const issues = new Map<string, Issue>();
  for (const run of distinct.values()) {
    const size = sizeOf(run.config.data);
    if (!size?.inputShape || size.classes === undefined) continue;
    try {
      (await buildUserModel(run.config.model as UserModelSpec, size.inputShape, size.classes, run.config.train.seed)).dispose();
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      for (const issue of err.issues) issues.set(`${issue.path}|${issue.message}`, issue);
    }
  }
  return [...issues.values()];
}

/** Runs every check above; throws one UsageError listing all problems. Writes nothing. */
export async function preflight(spec: Spec, runs: readonly PlannedRun<RunConfig>[], out: { dir: string; flag: string }): Promise<void> {
  const { sizes, issues } = await resolveDataSizes(runs);
  issues.push(...checkRunsFitData(spec, runs, (d) => sizes.get(dataKey(d))));
  issues.push(...checkModelsFitData(runs, (d) => sizes.get(dataKey(d))));
  issues.push(...(await checkUserModels(runs, (d) => sizes.get(dataKey(d)))));
  issues.push(...(await checkOutDir(out.dir, out.flag)));
  if (issues.length) throw new UsageError(`cannot start: ${issues.length} problem${issues.length === 1 ? '' : 's'} found before anything was written`, issues);
}

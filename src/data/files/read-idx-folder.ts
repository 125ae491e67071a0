/**
 * Any folder of IDX files in the MNIST layout (MNIST, KMNIST, EMNIST, Fashion-MNIST): train and
 * test images [N, rows, cols] (or [N, rows, cols, channels]) of unsigned bytes, and labels [N].
 * Each file may be raw or gzipped; pixels are divided by 255 as for the built-in Fashion-MNIST.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FileDataSpec } from '../../config/schema.ts';
import { EnvironmentError, UsageError, type Issue } from '../../errors.ts';
import { idxPairProblem, locateIdxFile, readIdxFile, type IdxArray } from '../idx.ts';
import { collect, collectSync, throwIssues, toLabels, tooLarge, type FileArrays, type LabelledArrays } from './file-arrays.ts';

export type IdxDataConfig = Extract<FileDataSpec, { name: 'idx' }>;
type FileKey = keyof IdxDataConfig['files'];

/** `name` in `dir`, raw preferred, else `name.gz`; a missing or too large file is a UsageError at data.files.<key>. */
async function locateIdx(dir: string, name: string, key: FileKey): Promise<string> {
  const found = await locateIdxFile(dir, name);
  if (!found) throw new UsageError('IDX file missing', [{ path: `data.files.${key}`, message: `expected a file ${name} (raw or .gz) in ${dir}, found neither` }]);
  const big = tooLarge(`data.files.${key}`, found.path, found.size);
  if (big) throw new UsageError('data too large', [big]);
  return found.path;
}

async function readIdx(dir: string, name: string, key: FileKey): Promise<{ array: IdxArray; file: string; key: FileKey }> {
  const file = await locateIdx(dir, name, key);
  try {
    return { array: await readIdxFile(file), file, key };
  } catch (err) {
    if (err instanceof EnvironmentError) throw new UsageError('bad IDX file', [{ path: `data.files.${key}`, message: err.message }]);
    throw err;
  }
}

type Read = Awaited<ReturnType<typeof readIdx>>;

/** One part's images and labels, their shapes checked. */
function toPart(images: Read, labels: Read): { shape: number[]; part: LabelledArrays } {
  const problem = idxPairProblem(images.array, labels.array, { images: images.file, labels: labels.file }, true);
  if (problem) throw new UsageError(`bad IDX ${problem.file}`, [{ path: `data.files.${(problem.file === 'images' ? images : labels).key}`, message: problem.message }]);
  const dims = images.array.dims;
  const shape = dims.length === 3 ? [dims[1], dims[2], 1] : dims.slice(1);
  const big = tooLarge(`data.files.${images.key}`, `${images.file} as float32`, images.array.data.length * 4);
  if (big) throw new UsageError('data too large', [big]);
  return {
    shape,
    part: {
      x: images.array.data,
      labels: toLabels(labels.array.data, `data.files.${labels.key}`, labels.file),
      labelSource: { path: `data.files.${labels.key}`, file: labels.file },
    },
  };
}

/** The four IDX files of `cfg.dir`; throws one UsageError with every problem. */
export async function readIdxFolderArrays(cfg: IdxDataConfig): Promise<FileArrays> {
  const dir = resolve(cfg.dir);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new UsageError('no IDX folder', [{ path: 'data.dir', message: `expected a folder of IDX files, got ${JSON.stringify(cfg.dir)} (${info ? 'not a folder' : 'no such folder'})` }]);
  }
  const issues: Issue[] = [];
  const keys: FileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];
  const read = await Promise.all(keys.map((key) => collect(issues, () => readIdx(dir, cfg.files[key], key))));
  throwIssues(issues, 'bad IDX folder');
  const [trainImages, trainLabels, testImages, testLabels] = read as Read[];
  const [train, test] = [[trainImages, trainLabels], [testImages, testLabels]].map(([images, labels]) => collectSync(issues, () => toPart(images, labels)));
  throwIssues(issues, 'bad IDX folder');
  if (train!.shape.join(',') !== test!.shape.join(',')) {
    throw new UsageError('shapes differ', [{
      path: 'data.files.testImages',
      message: `expected images of [${train!.shape.join(', ')}] as in ${trainImages.file}, got [${test!.shape.join(', ')}] in ${testImages.file}`,
    }]);
  }
  return { inputShape: train!.shape, scale: 1 / 255, train: train!.part, test: test!.part };
}

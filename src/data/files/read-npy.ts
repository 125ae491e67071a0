/**
 * NumPy datasets: features and labels as `.npy` files (numpy.save), or as arrays in one `.npz`
 * archive (numpy.savez / savez_compressed). The .npy format is parsed by npyjs and the archive
 * unpacked by fflate; this file checks what they return: a numeric dtype, as many values as the
 * header's shape, C order (Fortran-order arrays are reordered), and shapes that agree.
 */
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { parse as parseNpy, type NpyArray } from 'npyjs';
import type { FileDataSpec } from '../../config/schema.ts';
import { UsageError, type Issue } from '../../errors.ts';
import {
  checkDataFile, collect, collectSync, throwIssues, toLabels, tooLarge, maxDataBytes, type FileArrays, type LabelledArrays,
} from './file-arrays.ts';

export type NpyDataConfig = Extract<FileDataSpec, { name: 'npy' }>;
export type NpzDataConfig = Extract<FileDataSpec, { name: 'npz' }>;

/** dtypes read as numbers (npyjs drops the byte-order character; big-endian ones it refuses). */
const NUMERIC = new Set(['f2', 'f4', 'f8', 'u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8', 'b1']);

/** A checked array: its values in C order and its shape. */
export interface NumericArray {
  values: ArrayLike<number | bigint>;
  shape: number[];
}

/** Parses .npy bytes; a problem is a UsageError at `path` naming `file`. */
export function parseNpyBytes(bytes: Uint8Array, path: string, file: string): NumericArray {
  // npyjs views the buffer from the file's start; the data offset is 16-aligned only from there.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer : bytes.slice().buffer as ArrayBuffer;
  const bad = (why: string) => new UsageError('bad .npy file', [{ path, message: `${file} is not a usable .npy array: ${why}` }]);
  let array: NpyArray;
  try {
    array = parseNpy(buffer);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (!NUMERIC.has(array.dtype) || Array.isArray(array.data)) throw bad(`dtype ${JSON.stringify(array.dtype)} is not a number type (float, int, uint, bool)`);
  const { shape } = array;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`malformed shape ${JSON.stringify(shape)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = array.data as unknown as ArrayLike<number | bigint>;
  if (values.length !== size) throw bad(`its header's shape (${shape.join(', ')}) needs ${size} values, the file holds ${values.length}`);
  return { values: array.fortranOrder ? toCOrder(values, shape) : values, shape };
}

/** The values of a Fortran-order (column-major) array of `shape`, in C (row-major) order. */
export function toCOrder<T extends number | bigint>(values: ArrayLike<T>, shape: number[]): T[] {
  const out = new Array<T>(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < values.length; c++) {
    // index is the multi-index of C-order position c; its Fortran offset has axis 0 fastest.
    let f = 0;
    for (let k = rank - 1; k >= 0; k--) f = f * shape[k] + index[k];
    out[c] = values[f];
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return out;
}

/** One example's shape from the features' array shape [N, ...]: [d], [h, w] -> [h, w, 1], or [h, w, c]. */
function exampleShape(shape: number[], path: string, file: string): number[] {
  const rest = shape.slice(1);
  if (rest.length === 1) return rest;
  if (rest.length === 2) return [...rest, 1];
  if (rest.length === 3) return rest;
  throw new UsageError('bad feature shape', [{
    path, message: `expected features [N, d], [N, height, width] or [N, height, width, channels] in ${file}, got shape (${shape.join(', ')})`,
  }]);
}

interface NamedArray {
  array: NumericArray;
  path: string;
  file: string;
}

/** Features and labels of one part: shapes checked against each other. */
function toPart(x: NamedArray, y: NamedArray): { inputShape: number[]; part: LabelledArrays } {
  const inputShape = exampleShape(x.array.shape, x.path, x.file);
  const n = x.array.shape[0];
  const yShape = y.array.shape;
  if (!(yShape.length === 1 || (yShape.length === 2 && yShape[1] === 1))) {
    throw new UsageError('bad label shape', [{ path: y.path, message: `expected labels of shape (N,) or (N, 1) in ${y.file}, got (${yShape.join(', ')})` }]);
  }
  if (yShape[0] !== n) {
    throw new UsageError('counts differ', [{ path: y.path, message: `expected ${n} labels, one per example of ${x.file}, got ${yShape[0]} in ${y.file}` }]);
  }
  const bytes = n * inputShape.reduce((a, b) => a * b, 1) * 4;
  const big = tooLarge(x.path, `${x.file} as float32`, bytes);
  if (big) throw new UsageError('data too large', [big]);
  const values = x.array.values;
  const xs = typeof values[0] === 'bigint' ? Float64Array.from(values as ArrayLike<bigint>, Number) : values as ArrayLike<number>;
  return { inputShape, part: { x: xs, labels: toLabels(y.array.values, y.path, y.file), labelSource: { path: y.path, file: y.file } } };
}

/** Train (and test, when given) parts; a test part's example shape must be the train part's. */
function assemble(train: [NamedArray, NamedArray], test: [NamedArray, NamedArray] | undefined, divideBy: number): FileArrays {
  const issues: Issue[] = [];
  const a = collectSync(issues, () => toPart(...train));
  const b = test ? collectSync(issues, () => toPart(...test)) : undefined;
  throwIssues(issues, 'bad NumPy data');
  if (b && b.inputShape.join(',') !== a!.inputShape.join(',')) {
    throw new UsageError('shapes differ', [{
      path: test![0].path,
      message: `expected examples of shape (${a!.inputShape.join(', ')}) as in ${train[0].file}, got (${b.inputShape.join(', ')}) in ${test![0].file}`,
    }]);
  }
  return { inputShape: a!.inputShape, scale: 1 / divideBy, train: a!.part, test: b?.part };
}

async function readNpyFile(path: string, file: string): Promise<NamedArray> {
  const full = await checkDataFile(path, file);
  return { array: parseNpyBytes(await readFile(full), path, file), path, file };
}

/** `x` and `y` (and `testX`/`testY` when given) as .npy files. */
export async function readNpyArrays(cfg: NpyDataConfig): Promise<FileArrays> {
  const issues: Issue[] = [];
  if ((cfg.testX === undefined) !== (cfg.testY === undefined)) {
    const [given, missing] = cfg.testX === undefined ? ['testY', 'testX'] : ['testX', 'testY'];
    issues.push({ path: `data.${missing}`, message: `expected with data.${given} (the test part needs features and labels), got none` });
  }
  const fields = (['x', 'y', 'testX', 'testY'] as const).filter((k) => cfg[k] !== undefined);
  const read = await Promise.all(fields.map((k) => collect(issues, () => readNpyFile(`data.${k}`, cfg[k]!))));
  throwIssues(issues, 'bad NumPy files');
  const [x, y, testX, testY] = read as NamedArray[];
  return assemble([x, y], testX ? [testX, testY] : undefined, cfg.divideBy);
}

/**
 * The arrays of an .npz archive by name (without `.npy`), those in `wanted` only, and the names of
 * every array it holds (read from its directory in the same pass).
 */
function unpackNpz(bytes: Uint8Array, file: string, wanted: Set<string>): { arrays: Map<string, Uint8Array>; held: string[] } {
  const limit = maxDataBytes();
  const oversize: Issue[] = [];
  const held: string[] = [];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (entry) => {
        const name = entry.name.replace(/\.npy$/, '');
        held.push(name);
        if (!wanted.has(name)) return false;
        const big = tooLarge('data.path', `array ${JSON.stringify(name)} of ${file}`, entry.originalSize, limit);
        if (big) oversize.push(big);
        return !big;
      },
    });
  } catch (err) {
    throw new UsageError('bad .npz file', [{ path: 'data.path', message: `${file} is not a readable .npz (zip) archive: ${(err as Error).message}` }]);
  }
  throwIssues(oversize, 'data too large');
  return { arrays: new Map([...Object.entries(entries)].map(([name, data]) => [name.replace(/\.npy$/, ''), data])), held };
}

/** The arrays `x`, `y` (and `testX`, `testY` when the archive holds them) of the archive `path`. */
export async function readNpzArrays(cfg: NpzDataConfig): Promise<FileArrays> {
  const full = await checkDataFile('data.path', cfg.path);
  const bytes = await readFile(full);
  const wanted = new Set([cfg.x, cfg.y, cfg.testX, cfg.testY]);
  const { arrays, held } = unpackNpz(bytes, cfg.path, wanted);
  const issues: Issue[] = [];
  const pick = (key: 'x' | 'y' | 'testX' | 'testY'): NamedArray | undefined => {
    const data = arrays.get(cfg[key]);
    const file = `${cfg.path}[${JSON.stringify(cfg[key])}]`;
    return data && collectSync(issues, () => ({ array: parseNpyBytes(data, `data.${key}`, file), path: `data.${key}`, file }));
  };
  const missing = (key: 'x' | 'y' | 'testX' | 'testY'): Issue => ({
    path: `data.${key}`, message: `expected an array of ${cfg.path} (it holds ${held.map((n) => JSON.stringify(n)).join(', ') || 'none'}), got ${JSON.stringify(cfg[key])}`,
  });
  for (const key of ['x', 'y'] as const) if (!arrays.has(cfg[key])) issues.push(missing(key));
  const hasTest = [arrays.has(cfg.testX), arrays.has(cfg.testY)];
  if (hasTest[0] !== hasTest[1]) issues.push(missing(hasTest[0] ? 'testY' : 'testX'));
  const [x, y] = [pick('x'), pick('y')];
  const test = hasTest[0] && hasTest[1] ? [pick('testX'), pick('testY')] : undefined;
  throwIssues(issues, 'bad .npz archive');
  return assemble([x!, y!], test as [NamedArray, NamedArray] | undefined, cfg.divideBy);
}

/**
 * What every reader of the user's data files returns, and the checks they share: a file exists,
 * is readable and fits in memory. Problems are issues at the spec field that names the file
 * (`data.path`, `data.x`, ...), thrown together as one UsageError (exit 2) before a run starts.
 */
import { stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { UsageError, type Issue } from '../../errors.ts';

/** Examples of one part (train or test), as read from the files. */
export interface LabelledArrays {
  /** Feature values, row-major, prod(inputShape) per example, before `scale` is applied. */
  x: ArrayLike<number>;
  /** Class of each example: integers >= 0. */
  labels: Int32Array;
  /** The spec field and file the labels came from, for messages: `data.y (y.npy)`. */
  labelSource: { path: string; file: string };
}

/** The examples of a file dataset: a train part, and a test part when the files hold one. */
export interface FileArrays {
  /** One example's shape: [d] for vectors, [height, width, channels] for images. */
  inputShape: number[];
  /** Each feature value is multiplied by this when the tensors are made (1 / data.divideBy, 1/255 for pixels). */
  scale: number;
  train: LabelledArrays;
  test?: LabelledArrays;
  /** Classes known from the files themselves (image folders); undefined = from data.classes or the labels. */
  classes?: number;
  /** Class names by label, where the files name them (image folders). */
  classNames?: string[];
}

/**
 * The most bytes one data file (or the decoded float32 examples) may take: data lives in memory
 * twice (host arrays, then tensors), so a quarter of this machine's memory, and at most 2 GiB
 * (the largest typed array every backend takes).
 */
export function maxDataBytes(): number {
  return Math.min(2 ** 31, Math.floor(totalmem() / 4));
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The issue for data that would not fit in memory, or null when it fits. */
export function tooLarge(path: string, what: string, bytes: number, limit = maxDataBytes()): Issue | null {
  return bytes > limit
    ? { path, message: `${what} is ${formatBytes(bytes)}; data is held in memory, and files over ${formatBytes(limit)} (a quarter of this machine's memory, at most 2 GiB) are refused` }
    : null;
}

/**
 * Checks that `file` (named by spec field `path`) is a readable regular file that fits in memory;
 * returns its absolute path, or throws a UsageError at `path`.
 */
export async function checkDataFile(path: string, file: string): Promise<string> {
  const full = resolve(file);
  const info = await stat(full).catch((err: NodeJS.ErrnoException) => err);
  if (info instanceof Error) {
    const why = info.code === 'ENOENT' ? 'no such file' : info.code === 'EACCES' ? 'permission denied' : info.message;
    throw new UsageError('data file not readable', [{ path, message: `expected a readable file, got ${JSON.stringify(file)} (${why})` }]);
  }
  if (!info.isFile()) throw new UsageError('data file not a file', [{ path, message: `expected a file, got ${JSON.stringify(file)} (a folder or other non-file)` }]);
  const big = tooLarge(path, file, info.size);
  if (big) throw new UsageError('data file too large', [big]);
  return full;
}

/** Runs `read` and returns its value, or collects the UsageError's issues and returns undefined. */
export async function collect<T>(issues: Issue[], read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    issues.push(...err.issues);
    return undefined;
  }
}

/** Runs `read` and returns its value, or collects the UsageError's issues and returns undefined. */
export function collectSync<T>(issues: Issue[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    issues.push(...err.issues);
    return undefined;
  }
}

/** Throws one UsageError when `issues` is not empty. */
export function throwIssues(issues: Issue[], what: string): void {
  if (issues.length) throw new UsageError(what, issues);
}

/**
 * Labels from `values` (one per example), checked to be integers >= 0. Returns int32 labels or
 * throws a UsageError at `path` naming up to three bad rows (0-based) of `file`.
 */
export function toLabels(values: ArrayLike<number | bigint>, path: string, file: string): Int32Array {
  const labels = new Int32Array(values.length);
  const bad: string[] = [];
  let badCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
      if (bad.length < 3) bad.push(`${String(values[i])} at example ${i}`);
      badCount++;
    } else {
      labels[i] = v;
    }
  }
  if (badCount > 0) {
    throw new UsageError('bad labels', [{
      path,
      message: `expected integer class labels >= 0 in ${file}, got ${bad.join(', ')}${badCount > bad.length ? ` and ${badCount - bad.length} more` : ''}`,
    }]);
  }
  return labels;
}

/** The largest label of the parts, or -1 when they hold none. */
export function largestLabel(parts: readonly (LabelledArrays | undefined)[]): number {
  let max = -1;
  for (const part of parts) if (part) for (const label of part.labels) if (label > max) max = label;
  return max;
}

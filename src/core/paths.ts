/**
 * Dotted paths into plain JSON configuration objects (`train.schedule.warmupEpochs`).
 * A path names object keys only; array elements are not addressable, since sweeps set
 * whole values. A path that does not exist is a user error, so a typo in a sweep axis
 * cannot silently add a key the trainer ignores.
 */

import { UsageError } from '../errors.ts';

type Json = Record<string, unknown>;

function isPlainObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function splitPath(path: string, issuePath: string): string[] {
  const parts = path.split('.');
  if (path === '' || parts.some((p) => p === '')) {
    throw new UsageError(`invalid config path '${path}'`, [{ path: issuePath, message: 'expected dot-separated keys, e.g. train.lr' }]);
  }
  return parts;
}

/** True when every key along `path` exists (the leaf may hold any value, including null). */
export function hasPath(obj: unknown, path: string): boolean {
  let node = obj;
  for (const key of splitPath(path, path)) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return false;
    node = node[key];
  }
  return true;
}

/**
 * The value at `path`. Throws UsageError (issue at `issuePath`, default `path`) when a key
 * along the way is missing.
 */
export function getPath(obj: unknown, path: string, issuePath = path): unknown {
  let node = obj;
  for (const key of splitPath(path, issuePath)) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) throw unknownPath(path, issuePath, key);
    node = node[key];
  }
  return node;
}

export interface SetPathOptions {
  /** Allow the last key to be new (its parent must still exist). Default false. */
  createLeaf?: boolean;
  /**
   * Create every missing key on the way, replacing a non-object value there with an object
   * (what `--set a.b=1` does when `a` is absent). Default false.
   */
  createMissing?: boolean;
  /** Where to report a missing key; default the path itself. */
  issuePath?: string;
}

/**
 * A copy of `obj` with `value` at `path`; objects along the path are copied, everything
 * else is shared, and `obj` is left unchanged. Throws UsageError when the path does not
 * exist (or, with `createLeaf`, when its parent does not; with `createMissing`, never).
 * Keys are written as own properties, so `__proto__` as a key never reaches a prototype.
 */
export function setPath<T extends object>(obj: T, path: string, value: unknown, options: SetPathOptions = {}): T {
  const issuePath = options.issuePath ?? path;
  const keys = splitPath(path, issuePath);
  const write = (node: unknown, depth: number): Json => {
    const key = keys[depth];
    const last = depth === keys.length - 1;
    if (options.createMissing) {
      const base = isPlainObject(node) ? node : {};
      return { ...base, [key]: last ? value : write(Object.hasOwn(base, key) ? base[key] : undefined, depth + 1) };
    }
    if (!isPlainObject(node) || (!Object.hasOwn(node, key) && !(last && options.createLeaf))) {
      throw unknownPath(path, issuePath, key);
    }
    return { ...node, [key]: last ? value : write(node[key], depth + 1) };
  };
  return write(obj, 0) as T;
}

function unknownPath(path: string, issuePath: string, key: string): UsageError {
  return new UsageError(`unknown config path '${path}'`, [
    { path: issuePath, message: `no key '${key}' at this point of the configuration` },
  ]);
}

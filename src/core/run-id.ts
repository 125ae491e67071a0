/**
 * Run ids: a hash of the resolved run configuration, so a sweep can skip runs already done
 * and two machines planning the same sweep agree on every id. Never a timestamp.
 */

import { createHash } from 'node:crypto';
import { InternalError } from '../errors.ts';

/**
 * JSON with object keys sorted at every depth, so key order never changes the text.
 * Keys whose value is undefined are dropped (as JSON.stringify does); non-finite numbers,
 * functions, symbols and bigints are rejected rather than silently turned into null.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, '');
}

function encode(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notJson(path, `a finite number, got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v, i) => (v === undefined ? 'null' : encode(v, `${path}[${i}]`))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${encode((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k)}`);
    return `{${entries.join(',')}}`;
  }
  throw notJson(path, `a JSON value, got ${typeof value}`);
}

function notJson(path: string, expected: string): InternalError {
  return new InternalError(`run configuration is not plain JSON: ${path || '(root)'}: expected ${expected}`);
}

/** Length of a run id in hex characters (48 bits: collisions stay negligible below ~10^6 runs). */
export const RUN_ID_LENGTH = 12;

/**
 * A 12-hex-character id: the first 48 bits of SHA-256 over the canonical JSON of `config`,
 * or of `{ config, meta }` when `meta` is given (so cells whose configs coincide but whose
 * plan differs, e.g. the scaling rule at B = B0, still get distinct ids).
 */
export function runId(config: unknown, meta?: unknown): string {
  const text = canonicalJson(meta === undefined ? config : { config, meta });
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, RUN_ID_LENGTH);
}

/**
 * SHA-256 (64 hex characters) of the canonical JSON of a resolved spec, claim block included:
 * recorded in sweep.json so a result can be checked against the spec file it claims to come from.
 */
export function specHash(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec), 'utf8').digest('hex');
}

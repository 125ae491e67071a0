/**
 * Seeded randomness for the datasets. Every draw is reproducible from a 32-bit seed, and the
 * generators are plain TypeScript, so data are bit-identical on every backend and machine.
 */

import { mulberry32, normalSampler, type Rng as Uniform } from '../core/prng.ts';

export { mulberry32, type Uniform };

/** A seeded source of uniform, integer and standard-normal draws. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, n), for 1 <= n <= 2^32. */
  int(n: number): number;
  /** Standard normal (mean 0, variance 1). */
  normal(): number;
}

/** An Rng over mulberry32(seed); normals by Box-Muller (the core's samplers, shared with the bootstrap). */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return { uniform: next, int: (n) => Math.floor(next() * n), normal: normalSampler(next) };
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * An independent seed for one named stream of a seeded generator (e.g. 'teacher-weights',
 * 'test-inputs'). Separate streams keep e.g. the test set unchanged when only trainSize changes.
 */
export function deriveSeed(seed: number, stream: string): number {
  let h = (0x811c9dc5 ^ fmix32(seed >>> 0)) >>> 0;
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Fisher-Yates shuffle of `values` in place; the same permutation for the same rng state. */
export function shuffleInPlace<E, T extends { length: number; [i: number]: E }>(values: T, rng: Rng): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
  return values;
}

/** `n` standard-normal draws scaled by `std`, as float64 [n]. */
export function normals(rng: Rng, n: number, std = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = std * rng.normal();
  return out;
}

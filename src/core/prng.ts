/**
 * Seeded pseudo-random numbers: bootstrap resampling, shuffles, minibatch draws and the
 * synthetic datasets. Math.random is never used: every draw is reproducible from a 32-bit seed,
 * and the generators are plain TypeScript, so draws are bit-identical on every backend and machine.
 *
 * One stream, two views: `mulberry32(seed)` is the bare uniform generator (a `Uniform`), and
 * `createRng(seed)` wraps the same stream as an `Rng` with integer and normal draws.
 * `shuffled(n, seed)` equals `shuffleInPlace(0..n-1, createRng(seed))`.
 */

import { InternalError } from '../errors.ts';

/** A generator of floats uniform in [0, 1). */
export type Uniform = () => number;

/** A seeded source of uniform, integer and standard-normal draws. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, n), for 1 <= n <= 2^32. */
  int(n: number): number;
  /** Standard normal (mean 0, variance 1). */
  normal(): number;
}

/**
 * mulberry32: a 32-bit-state generator, fast and good enough for resampling and shuffling
 * (not for cryptography). `seed` is taken modulo 2^32, so negative and large seeds are fine.
 */
export function mulberry32(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal draws (mean 0, variance 1) from a uniform generator, by Box-Muller.
 * Each pair of uniforms yields two normals; the second is kept for the next call.
 */
export function normalSampler(rng: Uniform): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    // 1 - u lies in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - rng()));
    const angle = 2 * Math.PI * rng();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** An Rng over mulberry32(seed); normals by Box-Muller. */
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

/** A permutation of 0..n-1 (Fisher-Yates), the same for the same (n, seed). */
export function shuffled(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new InternalError(`shuffled: bad length: n: expected an integer >= 0, got ${n}`);
  }
  return shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), createRng(seed));
}

/** `n` standard-normal draws scaled by `std`, as float64 [n]. */
export function normals(rng: Rng, n: number, std = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = std * rng.normal();
  return out;
}

/** `k` distinct integers from [0, n), uniformly (Floyd's algorithm: O(k) time and memory). */
export function sampleWithoutReplacement(n: number, k: number, rng: Uniform): Int32Array {
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new InternalError(`sample size out of range: k: expected an integer in [0, ${n}], got ${k}`);
  }
  const chosen = new Set<number>();
  const out = new Int32Array(k);
  let filled = 0;
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(rng() * (j + 1));
    const pick = chosen.has(t) ? j : t;
    chosen.add(pick);
    out[filled++] = pick;
  }
  return out;
}

/**
 * Seeded pseudo-random numbers for the pure core (bootstrap resampling, shuffles).
 * Math.random is never used: every draw is reproducible from a 32-bit seed.
 */

import { InternalError } from '../errors.ts';

/** A generator of floats uniform in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a 32-bit-state generator, fast and good enough for resampling and shuffling
 * (not for cryptography). `seed` is taken modulo 2^32, so negative and large seeds are fine.
 */
export function mulberry32(seed: number): Rng {
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
export function normalSampler(rng: Rng): () => number {
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

/** A permutation of 0..n-1 (Fisher-Yates), the same for the same (n, seed). */
export function shuffled(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new InternalError(`shuffled: bad length: n: expected an integer >= 0, got ${n}`);
  }
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rng = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  return perm;
}

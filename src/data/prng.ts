/**
 * Seeded randomness for the datasets. Every draw is reproducible from a 32-bit seed, and the
 * generators are plain TypeScript, so data are bit-identical on every backend and machine.
 */

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
 * mulberry32: 32 bits of state, fast, statistically fine for shuffles and synthetic data
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

/** An Rng over mulberry32(seed); normals by Box-Muller, the second of each pair kept for the next call. */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  let spare: number | undefined;
  return {
    uniform: next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return z;
      }
      // 1 - u lies in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
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

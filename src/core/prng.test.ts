import { describe, expect, it } from 'vitest';
import { mulberry32, normalSampler, shuffled } from './prng.ts';
import { InternalError } from '../errors.ts';

/** Independent mulberry32 in BigInt arithmetic (no Math.imul, no int32 coercion tricks). */
function referenceMulberry32(seed: number): () => number {
  const M = 1n << 32n;
  const mul = (a: bigint, b: bigint) => (a * b) % M;
  let state = BigInt(seed >>> 0);
  return () => {
    state = (state + 0x6d2b79f5n) % M;
    let t = state;
    t = mul(t ^ (t >> 15n), t | 1n);
    t = t ^ ((t + mul(t ^ (t >> 7n), t | 61n)) % M);
    return Number(t ^ (t >> 14n)) / 2 ** 32;
  };
}

describe('mulberry32', () => {
  it.each([0, 1, 42, 123456789, 2 ** 32 - 1, -7])('matches a BigInt reference for seed %d', (seed) => {
    const a = mulberry32(seed);
    const b = referenceMulberry32(seed);
    for (let i = 0; i < 200; i++) expect(a()).toBe(b());
  });

  it('stays in [0, 1) and has mean and variance of a uniform', () => {
    const rng = mulberry32(2024);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    // Standard error of the mean is sqrt(1/12/n) ~ 0.002; allow 4 of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.008);
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.004);
  });

  it('gives different streams for different seeds', () => {
    const a = mulberry32(1);
    const b = mulberry32(2);
    const same = Array.from({ length: 50 }, () => a() === b()).filter(Boolean).length;
    expect(same).toBe(0);
  });
});

describe('normalSampler', () => {
  it('has mean 0, variance 1 and normal tail mass', () => {
    const draw = normalSampler(mulberry32(7));
    const n = 40000;
    let sum = 0;
    let sumSq = 0;
    let beyond196 = 0;
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      const z = draw();
      if (!Number.isFinite(z)) nonFinite++;
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) > 1.959964) beyond196++;
    }
    expect(nonFinite).toBe(0);
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.03);
    // P(|Z| > 1.96) = 0.05, binomial sd ~ 0.0011.
    expect(Math.abs(beyond196 / n - 0.05)).toBeLessThan(0.005);
  });

  it('is reproducible from the seed', () => {
    const a = normalSampler(mulberry32(3));
    const b = normalSampler(mulberry32(3));
    for (let i = 0; i < 11; i++) expect(a()).toBe(b());
  });
});

describe('shuffled', () => {
  it.each([0, 1, 2, 10, 1000])('is a permutation of 0..%d-1', (n) => {
    const p = shuffled(n, 5);
    expect(p).toBeInstanceOf(Int32Array);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('is deterministic per seed and differs across seeds', () => {
    expect(Array.from(shuffled(100, 9))).toEqual(Array.from(shuffled(100, 9)));
    expect(Array.from(shuffled(100, 9))).not.toEqual(Array.from(shuffled(100, 10)));
  });

  it('puts each element first about equally often over seeds', () => {
    const n = 5;
    const trials = 5000;
    const counts = new Array(n).fill(0);
    for (let s = 0; s < trials; s++) counts[shuffled(n, s)[0]]++;
    // Expected 1000 each, binomial sd ~ 28; allow ~5 sd.
    for (const c of counts) expect(Math.abs(c - trials / n)).toBeLessThan(140);
  });

  it.each([-1, 1.5, NaN])('rejects length %d', (n) => {
    expect(() => shuffled(n, 0)).toThrow(InternalError);
  });
});

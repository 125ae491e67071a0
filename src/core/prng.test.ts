import { describe, expect, it } from 'vitest';
import {
  createRng, deriveSeed, mulberry32, normals, normalSampler, sampleWithoutReplacement, shuffled, shuffleInPlace,
} from './prng.ts';
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

  it('is uniform on [0, 1): mean 1/2, variance 1/12, all 10 deciles filled evenly', () => {
    const next = mulberry32(42);
    const n = 200_000;
    const deciles = new Array(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
      deciles[Math.floor(u * 10)]++;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    // Standard errors: mean 0.00065, variance ~0.0002; tolerances are > 4 standard errors.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.001);
    for (const count of deciles) expect(Math.abs(count - n / 10)).toBeLessThan(600);
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

describe('createRng', () => {
  it('gives the same draws for the same seed and different draws for another', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return [rng.uniform(), rng.normal(), rng.normal(), rng.normal(), rng.int(1000)];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws standard normals: mean 0, variance 1, skew 0, kurtosis 3, tails as N(0,1)', () => {
    const z = normals(createRng(3), 200_000);
    const n = z.length;
    const moment = (k: number) => z.reduce((s, v) => s + v ** k, 0) / n;
    // Standard errors at n = 2e5: mean 0.0022, variance 0.0032, skew 0.0055, kurtosis 0.011.
    expect(Math.abs(moment(1))).toBeLessThan(0.01);
    expect(Math.abs(moment(2) - 1)).toBeLessThan(0.015);
    expect(Math.abs(moment(3))).toBeLessThan(0.03);
    expect(Math.abs(moment(4) - 3)).toBeLessThan(0.06);
    // P(|z| > 1.96) = 0.05 for N(0,1); standard error 0.0005.
    const tail = z.filter((v) => Math.abs(v) > 1.96).length / n;
    expect(Math.abs(tail - 0.05)).toBeLessThan(0.003);
  });

  it('int(n) covers 0..n-1 evenly', () => {
    const rng = createRng(11);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(450);
  });

  it('normals scales by std', () => {
    const a = normals(createRng(5), 10, 1);
    const b = normals(createRng(5), 10, 3);
    for (let i = 0; i < 10; i++) expect(b[i]).toBeCloseTo(3 * a[i], 12);
  });
});

describe('deriveSeed', () => {
  it('is a fixed function of (seed, stream)', () => {
    expect(deriveSeed(1, 'train')).toBe(deriveSeed(1, 'train'));
    expect(deriveSeed(-1, 'x')).toBe(deriveSeed(2 ** 32 - 1, 'x'));
  });

  it('gives distinct uint32 seeds for nearby seeds and similar stream names', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 100; seed++) {
      for (const stream of ['train', 'test', 'tesT', 'teacher-train', 'teacher-test', '']) {
        const derived = deriveSeed(seed, stream);
        expect(Number.isInteger(derived) && derived >= 0 && derived < 2 ** 32).toBe(true);
        seen.add(derived);
      }
    }
    expect(seen.size).toBe(600);
  });
});

describe('shuffleInPlace', () => {
  it('permutes arrays and typed arrays, the same way for the same seed', () => {
    const a = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), createRng(9));
    const b = shuffleInPlace(Int32Array.from({ length: 50 }, (_, i) => i), createRng(9));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...b]).toEqual(a);
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('puts each element at each position about equally often (Fisher-Yates, not a biased swap)', () => {
    const rng = createRng(1);
    // counts[value][position] over 30,000 shuffles of 4 elements; expected 7,500 each.
    const counts = Array.from({ length: 4 }, () => new Array(4).fill(0));
    for (let t = 0; t < 30_000; t++) {
      const p = shuffleInPlace([0, 1, 2, 3], rng);
      p.forEach((value, position) => counts[value][position]++);
    }
    for (const row of counts) for (const count of row) expect(Math.abs(count - 7500)).toBeLessThan(350);
  });
});

describe('sampleWithoutReplacement', () => {
  it('draws k distinct rows in range, each about equally often', () => {
    const rng = mulberry32(4);
    const counts = new Array(20).fill(0);
    for (let t = 0; t < 2000; t++) {
      const s = sampleWithoutReplacement(20, 5, rng);
      expect(new Set(s).size).toBe(5);
      s.forEach((i) => counts[i]++);
    }
    // Each row is drawn with probability 1/4: 500 +- 19 (1 sd); 5 sd bounds.
    counts.forEach((c) => expect(Math.abs(c - 500)).toBeLessThan(100));
    expect(Array.from(sampleWithoutReplacement(6, 6, rng)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => sampleWithoutReplacement(4, 5, rng)).toThrow(InternalError);
  });
});

describe('pinned streams (datasets, data order and committed run ids depend on them)', () => {
  // Values recorded before the two generators were merged into this module; any change here
  // changes every shuffled data order and synthetic dataset.
  it('shuffled and shuffleInPlace give the recorded permutations', () => {
    expect([0, 1, 42, -5].map((s) => Array.from(shuffled(12, s)))).toEqual([
      [9, 10, 4, 8, 5, 6, 7, 11, 1, 2, 0, 3],
      [4, 10, 2, 6, 9, 3, 1, 11, 8, 5, 0, 7],
      [2, 0, 5, 10, 9, 11, 3, 1, 6, 8, 4, 7],
      [10, 1, 6, 4, 2, 3, 11, 8, 7, 9, 0, 5],
    ]);
    const perm = shuffleInPlace(Int32Array.from({ length: 12 }, (_, i) => i), createRng(42));
    expect(Array.from(perm)).toEqual([2, 0, 5, 10, 9, 11, 3, 1, 6, 8, 4, 7]);
  });

  it('createRng, normals, deriveSeed and sampleWithoutReplacement give the recorded draws', () => {
    const r = createRng(7);
    expect([r.uniform(), r.int(1000), r.normal(), r.normal(), r.uniform()]).toEqual(
      [0.011704753153026104, 61, -0.8642530248729361, -2.605680906750795, 0.5214452685322613]);
    expect(Array.from(normals(createRng(3), 3, 2))).toEqual([3.0984851667365363, 0.7678523554532765, 1.9673941978146172]);
    expect(deriveSeed(5, 'teacher-weights')).toBe(1921833886);
    expect(Array.from(sampleWithoutReplacement(100, 8, mulberry32(11)))).toEqual([47, 49, 57, 56, 82, 52, 7, 53]);
  });
});

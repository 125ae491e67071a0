import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, mulberry32, normals, shuffleInPlace } from './prng.ts';

describe('mulberry32', () => {
  // Reference values from an independent Python port of the published C code
  // (z += 0x6D2B79F5; z = (z ^ z>>15) * (z|1); z ^= z + (z ^ z>>7) * (z|61); z ^ z>>14), / 2^32.
  it.each([
    [0, [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111, 0.46732782293111086]],
    [1, [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741, 0.9683778982143849]],
    [123456789, [0.2577907438389957, 0.9707721115555614, 0.7853280142880976, 0.20616457983851433, 0.30307188746519387]],
    [-1, [0.8964226141106337, 0.189478256739676, 0.7156526781618595, 0.9440599093213677, 0.8452364315744489]],
  ])('seed %d matches the reference sequence', (seed, expected) => {
    const next = mulberry32(seed);
    expect(expected.map(() => next())).toEqual(expected);
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

import { describe, expect, it } from 'vitest';
import { mean, sampleStd, studentTCdf, studentTQuantile, summarizeSeeds } from './seed-stats.ts';

describe('studentTQuantile', () => {
  // Two-sided 95% critical values from the standard t table (4 significant digits).
  const table: [number, number][] = [
    [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [9, 2.262], [10, 2.228],
    [20, 2.086], [30, 2.042], [120, 1.98],
  ];
  it.each(table)('t(0.975, df=%i) = %f', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 2);
  });

  it('is antisymmetric and approaches the normal quantile', () => {
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 10);
    expect(studentTQuantile(0.975, 2000)).toBeCloseTo(1.961151, 4);
  });

  it('rejects p outside (0, 1)', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
  });
});

describe('studentTCdf', () => {
  // Closed forms: df=1 is Cauchy, df=2 has an algebraic CDF. Spread points, 1e-12 tolerance.
  const pts = Array.from({ length: 20 }, (_, i) => Math.tan((i + 0.5) * 0.15 - 1.5) * 3);
  it('matches the Cauchy CDF for df=1', () => {
    for (const t of pts) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
  });
  it('matches the closed form for df=2', () => {
    for (const t of pts) expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
  });
});

describe('summarizeSeeds', () => {
  it('computes mean, sample std and the t interval', () => {
    const xs = [0.91, 0.93, 0.92, 0.95];
    const s = summarizeSeeds(xs);
    expect(s.mean).toBeCloseTo(0.9275, 12);
    const sd = Math.sqrt(((0.91 - 0.9275) ** 2 + (0.93 - 0.9275) ** 2 + (0.92 - 0.9275) ** 2 + (0.95 - 0.9275) ** 2) / 3);
    expect(s.std).toBeCloseTo(sd, 12);
    expect(s.ciHigh - s.mean).toBeCloseTo((3.182446 * sd) / 2, 5);
    expect([s.min, s.max, s.n]).toEqual([0.91, 0.95, 4]);
  });
  it('gives no spread for a single value and NaN for none', () => {
    const one = summarizeSeeds([2]);
    expect(one.mean).toBe(2);
    expect(Number.isNaN(one.std) && Number.isNaN(one.ciLow)).toBe(true);
    expect(Number.isNaN(mean([]))).toBe(true);
    expect(Number.isNaN(sampleStd([1]))).toBe(true);
  });
});

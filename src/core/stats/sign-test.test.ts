/**
 * The sign test, the order-statistic median interval and the procedure rule, against closed
 * forms worked out by hand (binomial coefficients over 2^n; Excel's SKEW/KURT of [0, 0, 0, 1]
 * are 2 and 4, the textbook adjusted moments).
 */
import { describe, expect, it } from 'vitest';
import { binomialHalfCdf, medianCi, signTest } from './sign-test.ts';
import { bimodalityCoefficient, chooseSeedProcedure, sampleExcessKurtosis, sampleSkewness } from './procedure.ts';

describe('binomialHalfCdf', () => {
  it.each([
    [0, 10, 1 / 1024],
    [1, 10, 11 / 1024],
    [2, 10, 56 / 1024],
    [5, 10, 638 / 1024],
    [0, 5, 1 / 32],
    [-1, 5, 0],
    [5, 5, 1],
  ])('P(X <= %d), n = %d', (k, n, want) => {
    expect(binomialHalfCdf(k, n)).toBeCloseTo(want, 14);
  });
});

describe('signTest', () => {
  it('10 of 10 above: two-sided p = 2 / 2^10', () => {
    const t = signTest([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 0);
    expect(t).toMatchObject({ above: 10, below: 0, ties: 0 });
    expect(t.p).toBeCloseTo(2 / 1024, 14);
    expect(t.pGreater).toBeCloseTo(1 / 1024, 14);
    expect(t.pLess).toBe(1);
  });
  it('ties with mu are dropped: 8 above, 1 below, 1 tie -> p = 2 (1 + 9) / 2^9', () => {
    const t = signTest([0, -1, 1, 1, 1, 1, 1, 1, 1, 1], 0);
    expect(t).toMatchObject({ above: 8, below: 1, ties: 1 });
    expect(t.p).toBeCloseTo((2 * 10) / 512, 14);
  });
  it('only the order matters: an imputed 1000 and a real 2 give the same test', () => {
    expect(signTest([1000, 3, 5, -1, 2, 7], 0)).toEqual(signTest([2, 3, 5, -1, 2, 7], 0));
  });
});

describe('medianCi', () => {
  const xs = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10]; // sorted 1..10
  it('n = 10 at 95%: [x(2), x(9)], coverage 1 - 22/1024', () => {
    const ci = medianCi(xs, 0.95);
    expect(ci).toMatchObject({ n: 10, median: 5.5, lo: 2, hi: 9, k: 2 });
    expect(ci.coverage).toBeCloseTo(1 - 22 / 1024, 14);
  });
  it('n = 10 at 90%: still k = 2 (2 x 56/1024 > 0.1)', () => {
    expect(medianCi(xs, 0.9)).toMatchObject({ lo: 2, hi: 9, k: 2 });
  });
  it('n = 5: no 95% interval (2/32 > 0.05); at 90% the range, coverage 30/32', () => {
    expect(Number.isNaN(medianCi([1, 2, 3, 4, 5], 0.95).lo)).toBe(true);
    const ci = medianCi([1, 2, 3, 4, 5], 0.9);
    expect([ci.lo, ci.hi, ci.coverage]).toEqual([1, 5, 30 / 32]);
  });
  it('n = 20 at 95%: [x(6), x(15)] (P(X <= 5) = 21700/2^20 <= 0.025 < P(X <= 6))', () => {
    const ci = medianCi(Array.from({ length: 20 }, (_, i) => i + 1), 0.95);
    expect([ci.lo, ci.hi]).toEqual([6, 15]);
    expect(ci.coverage).toBeCloseTo(1 - 2 * 21700 / 2 ** 20, 12);
  });
});

describe('shape statistics and the procedure rule', () => {
  it('[0, 0, 0, 1]: G1 = 2, G2 = 4, bimodality coefficient 5 / 17.5', () => {
    expect(sampleSkewness([0, 0, 0, 1])).toBeCloseTo(2, 12);
    expect(sampleExcessKurtosis([0, 0, 0, 1])).toBeCloseTo(4, 12);
    expect(bimodalityCoefficient([0, 0, 0, 1])).toBeCloseTo(5 / 17.5, 12);
  });
  it('a symmetric two-point sample of 10: G1 = 0, bimodal', () => {
    const xs = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    expect(sampleSkewness(xs)).toBeCloseTo(0, 12);
    // g2 = -2: G2 = 9/56 (11 (-2) + 6) = -18/7; BC = 1 / (-18/7 + 243/56) = 56/99
    expect(bimodalityCoefficient(xs)).toBeCloseTo(56 / 99, 12);
    expect(chooseSeedProcedure(xs).procedure).toBe('sign');
  });
  it.each<[number[], number, string, string]>([
    [[3, 3, 3, 3, 3], 0, 'exact', 'identical in all 5 seeds'],
    [[0, 0], 0, 'exact', 'identical in all 2 seeds'],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1, 'sign', '1 of 10 seeds stand for diverged runs (an imputed value: only their order is data)'],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0, 't', ''],
    [[0, 0.1, 0.2, 0.1, 0, 0.2, 0.1, 0.05, 0.15, 5], 0, 'sign', 'the per-seed values are heavily skewed (G1 3.15, beyond +-1.5)'],
    [[0, 0.1, 0.2, 0.1, 0, 0.2, 5], 0, 't', ''], // fewer than 8 values: shape is not judged
  ])('%j with %d imputed -> %s', (xs, imputed, procedure, why) => {
    expect(chooseSeedProcedure(xs, imputed)).toEqual({ procedure, why });
  });
});

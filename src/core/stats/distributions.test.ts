import { describe, expect, it } from 'vitest';
import { InternalError } from '../../errors.ts';
import { noncentralTCdf, normalCdf, normalQuantile, tCdf, tQuantile } from './distributions.ts';

// Reference values from scipy 1.17.1: stats.t.ppf(p, df), stats.t.cdf(t, df),
// stats.norm.ppf / stats.norm.cdf, stats.nct.cdf(x, df, nc).

describe('Student t (@stdlib)', () => {
  it.each([
    [1, 12.706204736174694, 6.313751514675037],
    [2, 4.302652729749462, 2.9199855803537242],
    [4, 2.7764451051977934, 2.1318467863266495],
    [9, 2.262157162798205, 1.833112932656237],
    [29, 2.045229642132703, 1.6991270265334972],
    [100, 1.9839715185235518, 1.6602343260853392],
  ])('quantiles at 0.975 and 0.95, df %d (scipy stats.t.ppf)', (df, q975, q95) => {
    expect(tQuantile(0.975, df)).toBeCloseTo(q975, 10);
    expect(tQuantile(0.95, df)).toBeCloseTo(q95, 10);
  });

  it.each([
    [0.5, 3, 0.6742760175759245],
    [-1.7, 7, 0.0664644483912776],
    [2.5, 4.5, 0.9700471567488997],
    [-3, 1, 0.10241638234956672],
  ])('cdf(%d, df %d) (scipy stats.t.cdf)', (t, df, expected) => {
    expect(tCdf(t, df)).toBeCloseTo(expected, 12);
  });

  it('cdf matches the closed forms for df 1 (Cauchy) and df 2', () => {
    for (const t of [-20, -2, -0.3, 0.7, 4, 50]) {
      expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(tCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it('rejects probabilities outside (0, 1) and df <= 0', () => {
    expect(() => tQuantile(1, 3)).toThrow(InternalError);
    expect(() => tQuantile(0.5, 0)).toThrow(InternalError);
    expect(() => tCdf(1, -1)).toThrow(InternalError);
    expect(() => normalQuantile(0)).toThrow(InternalError);
  });
});

describe('normal (@stdlib)', () => {
  it('quantiles and cdf (scipy stats.norm)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.6448536269514729, 12);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 12);
  });
});

describe('noncentral t cdf', () => {
  it.each([
    [2.0, 4, 1.5, 0.6189289251396548],
    [-1.0, 9, 0.5, 0.07564345303987377],
    [2.776, 4, 3.0, 0.3806222701078517],
    [1.0, 1, 2.0, 0.15111344691562295],
    [3.0, 29, 2.5, 0.6702610052508475],
  ])('cdf(%d, df %d, ncp %d) (scipy stats.nct.cdf)', (x, df, nc, expected) => {
    expect(Math.abs(noncentralTCdf(x, df, nc) - expected)).toBeLessThan(1e-9);
  });

  it('is the central t at ncp 0', () => {
    for (const [t, df] of [[0.5, 3], [-1.7, 7], [2.2, 1]] as const) {
      expect(Math.abs(noncentralTCdf(t, df, 0) - tCdf(t, df))).toBeLessThan(1e-9);
    }
  });
});

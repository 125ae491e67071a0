/** Student t intervals and tests of a mean (one-sample, paired, inside a band). */
import { fail, requireSamples } from './checks.ts';
import { mean, std } from './descriptive.ts';
import { tCdf, tQuantile } from './distributions.ts';

export interface MeanCi {
  n: number;
  mean: number;
  std: number;
  /** Bounds of the interval; NaN when n < 2. */
  lo: number;
  hi: number;
}

/** Student t confidence interval of the mean at `level` in (0, 1), default 0.95. */
export function meanCi(xs: readonly number[], level = 0.95): MeanCi {
  const m = mean(xs);
  const s = std(xs);
  if (!(level > 0 && level < 1)) fail('level', `expected a number in (0, 1), got ${level}`);
  if (xs.length < 2) return { n: xs.length, mean: m, std: s, lo: NaN, hi: NaN };
  const half = (tQuantile((1 + level) / 2, xs.length - 1) * s) / Math.sqrt(xs.length);
  return { n: xs.length, mean: m, std: s, lo: m - half, hi: m + half };
}

/** a[i] - b[i] for paired observations (same seed, same initial weights). */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) fail('b', `expected as many values as a (${a.length}), got ${b.length}`);
  return a.map((x, i) => x - b[i]);
}

export interface OneSampleT {
  n: number;
  mean: number;
  /** Standard error of the mean. */
  se: number;
  /** (mean - mu) / se; +-Infinity or NaN when se is 0. */
  t: number;
  df: number;
  /** Two-sided p of H0: mean = mu. */
  p: number;
}

/** One-sample (for paired differences: paired) t test of H0: mean = mu; needs >= 2 values. */
export function oneSampleT(xs: readonly number[], mu = 0): OneSampleT {
  requireSamples(xs, 'xs', 2);
  const n = xs.length;
  const m = mean(xs);
  const se = std(xs) / Math.sqrt(n);
  const df = n - 1;
  if (se === 0) {
    const t = m === mu ? NaN : m > mu ? Infinity : -Infinity;
    return { n, mean: m, se, t, df, p: m === mu ? 1 : 0 };
  }
  const t = (m - mu) / se;
  return { n, mean: m, se, t, df, p: Math.min(1, 2 * tCdf(-Math.abs(t), df)) };
}

/**
 * p of the intersection-union test that the mean lies inside [lo, hi]: H0 is "mean <= lo or
 * mean >= hi"; p = 2 max(p_lo, p_hi) of the one-sided t tests (capped at 1), so p < alpha iff
 * the two-sided (1 - alpha) t interval lies inside the band. Needs >= 2 values.
 */
export function insideBandP(xs: readonly number[], lo: number, hi: number): number {
  const { se, mean: m, df } = oneSampleT(xs);
  if (se === 0) return m > lo && m < hi ? 0 : 1;
  const pLo = 1 - tCdf((m - lo) / se, df);
  const pHi = tCdf((m - hi) / se, df);
  return Math.min(1, 2 * Math.max(pLo, pHi));
}

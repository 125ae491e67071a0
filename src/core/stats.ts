/**
 * Statistics for verdicts on claims: summaries, t intervals and tests, slopes, rank
 * correlation, equivalence tests and the critical-batch fit. Pure functions over number
 * arrays. (Bootstrap: bootstrap.ts; power: power.ts; distributions: distributions.ts.) Empty inputs are InternalErrors (callers pass cells with samples); a spread that needs two
 * samples is NaN with one, so a single-seed cell still summarises.
 */

import { InternalError } from '../errors.ts';
import { tCdf, tQuantile } from './distributions.ts';

function fail(path: string, message: string): never {
  throw new InternalError(`statistics: ${path}: ${message}`);
}

function requireSamples(xs: readonly number[], path = 'samples', min = 1): void {
  if (xs.length < min) fail(path, `expected at least ${min} value(s), got ${xs.length}`);
}

function requirePaired(xs: readonly number[], ys: readonly number[]): void {
  if (xs.length !== ys.length) fail('ys', `expected as many values as xs (${xs.length}), got ${ys.length}`);
}

export function mean(xs: readonly number[]): number {
  requireSamples(xs);
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample variance (divides by n - 1); NaN for a single value. */
export function variance(xs: readonly number[]): number {
  requireSamples(xs);
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return ss / (xs.length - 1);
}

/** Sample standard deviation (n - 1); NaN for a single value. */
export function std(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/** q-quantile, q in [0, 1], by linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(xs: readonly number[], q: number): number {
  requireSamples(xs);
  if (!(q >= 0 && q <= 1)) fail('q', `expected a number in [0, 1], got ${q}`);
  const sorted = [...xs].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

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

// ---------------------------------------------------------------------------------------
// Fits and correlation

export interface LinearFit {
  n: number;
  slope: number;
  intercept: number;
  /** Coefficient of determination; NaN when ys are constant. */
  r2: number;
  /** Standard error of the slope; NaN when n < 3. */
  slopeSe: number;
}

/** Ordinary least squares y = intercept + slope * x; needs >= 2 points and xs not all equal. */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  requirePaired(xs, ys);
  requireSamples(xs, 'xs', 2);
  const n = xs.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (!(sxx > 0)) fail('xs', 'expected at least two distinct x values');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - intercept - slope * xs[i]) ** 2;
  const r2 = syy > 0 ? 1 - sse / syy : NaN;
  const slopeSe = n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : NaN;
  return { n, slope, intercept, r2, slopeSe };
}

/**
 * Least squares of ln y on ln x: y ~ exp(intercept) * x^slope. The slope is the exponent
 * (e.g. -1 for gradient variance vs batch size, 1 for linear LR scaling). xs, ys > 0.
 */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): LinearFit {
  requirePaired(xs, ys);
  xs.forEach((x, i) => x > 0 || fail(`xs[${i}]`, `expected a number > 0, got ${x}`));
  ys.forEach((y, i) => y > 0 || fail(`ys[${i}]`, `expected a number > 0, got ${y}`));
  return linearFit(xs.map(Math.log), ys.map(Math.log));
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  requirePaired(xs, ys);
  requireSamples(xs, 'xs', 2);
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** 1-based ranks; tied values share the average of their ranks. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) out[order[k][1]] = rank;
    start = end + 1;
  }
  return out;
}

/** Spearman's rank correlation (Pearson on average ranks, so ties are handled). */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  requirePaired(xs, ys);
  return pearson(ranks(xs), ranks(ys));
}

// ---------------------------------------------------------------------------------------
// Equivalence

export interface TostResult {
  n: number;
  mean: number;
  margin: number;
  /** 90% t interval of the mean difference: equivalence at alpha 0.05 iff it lies inside (-margin, margin). */
  lo: number;
  hi: number;
  /** p-values of H0: mean <= -margin and H0: mean >= margin; p is the larger. */
  pLower: number;
  pUpper: number;
  p: number;
  equivalent: boolean;
}

/**
 * Two one-sided t tests (alpha = 0.05) that the mean of paired differences lies within
 * (-margin, margin), margin > 0 in the metric's units. Equivalent iff the 90% t interval
 * lies inside the margin, iff p = max(pLower, pUpper) < 0.05. Needs >= 2 differences.
 */
export function tost(diffs: readonly number[], margin: number): TostResult {
  requireSamples(diffs, 'diffs', 2);
  if (!(margin > 0) || !Number.isFinite(margin)) fail('margin', `expected a finite number > 0, got ${margin}`);
  const ci = meanCi(diffs, 0.9);
  const se = ci.std / Math.sqrt(ci.n);
  let pLower: number;
  let pUpper: number;
  if (se === 0) {
    pLower = ci.mean > -margin ? 0 : 1;
    pUpper = ci.mean < margin ? 0 : 1;
  } else {
    pLower = 1 - tCdf((ci.mean + margin) / se, ci.n - 1);
    pUpper = tCdf((ci.mean - margin) / se, ci.n - 1);
  }
  return {
    n: ci.n,
    mean: ci.mean,
    margin,
    lo: ci.lo,
    hi: ci.hi,
    pLower,
    pUpper,
    p: Math.max(pLower, pUpper),
    equivalent: ci.lo > -margin && ci.hi < margin,
  };
}

// ---------------------------------------------------------------------------------------
// Critical batch size

export interface CriticalBatchFit {
  /** S_min: steps to the target with an infinitely large batch (the fit's intercept in 1/B). */
  sMin: number;
  /** B_noise: the batch size at which twice S_min steps are needed; NaN when sMin <= 0. */
  bNoise: number;
  r2: number;
}

/**
 * Least-squares fit of S(B) = S_min (1 + B_noise / B) (McCandlish et al. 2018) to measured
 * steps-to-target, as the straight line S = a + b / B: S_min = a, B_noise = b / a.
 * batchSizes > 0; needs >= 2 distinct batch sizes.
 */
export function fitCriticalBatch(batchSizes: readonly number[], steps: readonly number[]): CriticalBatchFit {
  requirePaired(batchSizes, steps);
  batchSizes.forEach((b, i) => b > 0 || fail(`batchSizes[${i}]`, `expected a number > 0, got ${b}`));
  const fit = linearFit(
    batchSizes.map((b) => 1 / b),
    steps,
  );
  const sMin = fit.intercept;
  return { sMin, bNoise: sMin > 0 ? fit.slope / sMin : NaN, r2: fit.r2 };
}

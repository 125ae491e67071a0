/**
 * Statistics for verdicts on claims: summaries, confidence intervals, slopes, rank
 * correlation, equivalence tests and the critical-batch fit. Pure functions over number
 * arrays; seeded where random. Empty inputs are UsageErrors; a spread that needs two
 * samples is NaN with one, so a single-seed cell still summarises.
 */

import { UsageError } from '../errors.ts';
import { mulberry32 } from './prng.ts';

function fail(path: string, message: string): never {
  throw new UsageError(`statistics: ${message}`, [{ path, message }]);
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

// ---------------------------------------------------------------------------------------
// Student t

/** t quantiles at p = 0.975 (two-sided 95%) for df = 1..30. */
export const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
] as const;

/** t quantiles at p = 0.95 (two-sided 90%, one-sided 5%: TOST at alpha 0.05) for df = 1..30. */
export const T_95 = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74,
  1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
] as const;

const NORMAL_QUANTILE = { 0.975: 1.959963984540054, 0.95: 1.6448536269514722 } as const;

/**
 * Quantile of Student's t with `df` degrees of freedom at p = 0.975 or 0.95: the tables for
 * df <= 30; beyond, the normal quantile with the Cornish-Fisher correction in 1/df (error
 * below 1e-5 there, and it tends to the normal value as df grows).
 */
export function tQuantile(df: number, p: 0.975 | 0.95): number {
  if (!(df >= 1) || !Number.isInteger(df)) fail('df', `expected an integer >= 1, got ${df}`);
  const z = NORMAL_QUANTILE[p];
  if (z === undefined) fail('p', `expected 0.975 or 0.95, got ${p}`);
  if (df <= 30) return (p === 0.975 ? T_975 : T_95)[df - 1];
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** P(T <= t) for Student's t with `df` > 0 degrees of freedom (via the incomplete beta function). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) fail('df', `expected a number > 0, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** log Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let a = c[0];
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** I_x(a, b), the regularized incomplete beta function, by its continued fraction. */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only on this side of the mean; use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const guard = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / guard(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 / guard(1 + even * d);
    c = guard(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 / guard(1 + odd * d);
    c = guard(1 + odd / c);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

export interface MeanCi {
  n: number;
  mean: number;
  std: number;
  /** Bounds of the interval; NaN when n < 2. */
  lo: number;
  hi: number;
}

/** t-based confidence interval of the mean at `level` 0.95 (default) or 0.90. */
export function meanCi(xs: readonly number[], level: 0.95 | 0.9 = 0.95): MeanCi {
  const m = mean(xs);
  const s = std(xs);
  if (level !== 0.95 && level !== 0.9) fail('level', `expected 0.95 or 0.9, got ${level}`);
  if (xs.length < 2) return { n: xs.length, mean: m, std: s, lo: NaN, hi: NaN };
  const half = (tQuantile(xs.length - 1, level === 0.95 ? 0.975 : 0.95) * s) / Math.sqrt(xs.length);
  return { n: xs.length, mean: m, std: s, lo: m - half, hi: m + half };
}

// ---------------------------------------------------------------------------------------
// Bootstrap

export interface BootstrapOptions {
  /** Number of resamples; default 2000. */
  iterations?: number;
  /** Seed of the resampling stream; default 0. */
  seed?: number;
  /** Coverage of the interval in (0, 1); default 0.95. */
  level?: number;
}

export interface BootstrapCi {
  /** The statistic on the original samples. */
  estimate: number;
  lo: number;
  hi: number;
}

/**
 * Percentile bootstrap interval of `statistic`: resample `samples` with replacement
 * `iterations` times (mulberry32(seed)), take the (1 - level)/2 and (1 + level)/2 quantiles.
 * Samples may be any rows (e.g. per-seed pairs), so paired designs resample whole pairs.
 * Resamples whose statistic is not finite are dropped; if none remain, lo = hi = NaN.
 */
export function bootstrapCi<T>(
  samples: readonly T[],
  statistic: (resample: T[]) => number,
  options: BootstrapOptions = {},
): BootstrapCi {
  const { iterations = 2000, seed = 0, level = 0.95 } = options;
  if (samples.length < 1) fail('samples', 'expected at least 1 value, got 0');
  if (!Number.isInteger(iterations) || iterations < 1) fail('iterations', `expected an integer >= 1, got ${iterations}`);
  if (!(level > 0 && level < 1)) fail('level', `expected a number in (0, 1), got ${level}`);
  const rng = mulberry32(seed);
  const n = samples.length;
  const stats: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const resample = new Array<T>(n);
    for (let i = 0; i < n; i++) resample[i] = samples[Math.floor(rng() * n)];
    const s = statistic(resample);
    if (Number.isFinite(s)) stats.push(s);
  }
  const estimate = statistic([...samples]);
  if (stats.length === 0) return { estimate, lo: NaN, hi: NaN };
  return { estimate, lo: quantile(stats, (1 - level) / 2), hi: quantile(stats, (1 + level) / 2) };
}

/** a[i] - b[i] for paired observations (same seed, same initial weights). */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) fail('b', `expected as many values as a (${a.length}), got ${b.length}`);
  return a.map((x, i) => x - b[i]);
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
 * (-margin, margin), margin > 0 in the metric's units. The verdict is read from the 90%
 * interval (tabled t); the p-values use the exact t distribution and agree up to the
 * table's rounding. Needs >= 2 differences.
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
    pLower = 1 - studentTCdf((ci.mean + margin) / se, ci.n - 1);
    pUpper = studentTCdf((ci.mean - margin) / se, ci.n - 1);
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

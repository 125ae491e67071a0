/**
 * Summaries of a metric over repeated runs (seeds): mean, sample std, and a two-sided 95%
 * Student-t confidence interval for the mean. Pure; no dependencies.
 */

export interface SeedSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); NaN when n < 2. */
  std: number;
  /** 95% t-interval for the mean; both NaN when n < 2 (one run gives no spread to trust). */
  ciLow: number;
  ciHigh: number;
  min: number;
  max: number;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return Math.sqrt(ss / (xs.length - 1));
}

/**
 * CDF of Student's t with integer `df` >= 1, from the exact finite series of Abramowitz &
 * Stegun 26.7.3-4 (no special functions needed, so no approximation error beyond rounding).
 */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`studentTCdf: df must be a positive integer, got ${df}`);
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const s = Math.sin(theta);
  const c2 = Math.cos(theta) ** 2;
  let a: number; // P(|T| <= |t|)
  if (df % 2 === 1) {
    let term = 1;
    let sum = df > 1 ? 1 : 0;
    for (let k = 3; k <= df - 2; k += 2) {
      term *= (c2 * (k - 1)) / k;
      sum += term;
    }
    a = (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
  } else {
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) {
      term *= (c2 * (k - 1)) / k;
      sum += term;
    }
    a = s * sum;
  }
  return t >= 0 ? 0.5 + a / 2 : 0.5 - a / 2;
}

/** Quantile of Student's t: the t with CDF(t) = p, for p in (0, 1), integer df >= 1. Bisection, |err| < 1e-10. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df >= 1)) throw new RangeError(`studentTQuantile: need 0<p<1, df>0; got p=${p}, df=${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean, std and 95% t-interval of finite values (callers drop NaN/inf first). */
export function summarizeSeeds(xs: readonly number[]): SeedSummary {
  const n = xs.length;
  const m = mean(xs);
  const s = sampleStd(xs);
  const half = n >= 2 ? studentTQuantile(0.975, n - 1) * (s / Math.sqrt(n)) : NaN;
  return {
    n,
    mean: m,
    std: s,
    ciLow: m - half,
    ciHigh: m + half,
    min: n ? Math.min(...xs) : NaN,
    max: n ? Math.max(...xs) : NaN,
  };
}

/**
 * The distributions verdicts need: Student t and the normal from @stdlib (well-tested
 * implementations, no hand-written approximations), and the noncentral t CDF for power,
 * integrated numerically over the chi distribution of the sample spread.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import normalCdfStdlib from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';
import tCdfStdlib from '@stdlib/stats-base-dists-t-cdf';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { InternalError } from '../../errors.ts';

function fail(path: string, message: string): never {
  throw new InternalError(`statistics: ${path}: ${message}`);
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) fail('df', `expected a finite number > 0, got ${df}`);
}

function checkProbability(p: number): void {
  if (!(p > 0 && p < 1)) fail('p', `expected a probability in (0, 1), got ${p}`);
}

/** The p-quantile of Student's t with `df` > 0 degrees of freedom, p in (0, 1). */
export function tQuantile(p: number, df: number): number {
  checkProbability(p);
  checkDf(df);
  return tQuantileStdlib(p, df);
}

/** P(T <= t) for Student's t with `df` > 0 degrees of freedom; t may be +-Infinity. */
export function tCdf(t: number, df: number): number {
  checkDf(df);
  return tCdfStdlib(t, df);
}

/** The p-quantile of the standard normal, p in (0, 1). */
export function normalQuantile(p: number): number {
  checkProbability(p);
  return normalQuantileStdlib(p, 0, 1);
}

/** P(Z <= z) for the standard normal. */
export function normalCdf(z: number): number {
  return normalCdfStdlib(z, 0, 1);
}

/** Composite Simpson panels over the chi variable (the integrand is smooth). */
const PANELS = 1000;

/**
 * P(T' <= t) for the noncentral t with `df` > 0 degrees of freedom and noncentrality `ncp`:
 * T' = (Z + ncp) / sqrt(V / df), V ~ chi-square(df). Computed as the integral over
 * u = sqrt(V) of Phi(t u / sqrt(df) - ncp) times the chi density of u, by Simpson's rule on
 * [0, sqrt(df) + 9] (the chi tail beyond carries < 1e-17 of the mass). Absolute error
 * below 1e-9 for df >= 1 (checked against scipy.stats.nct in the tests).
 */
export function noncentralTCdf(t: number, df: number, ncp: number): number {
  if (!(df >= 1) || !Number.isFinite(df)) fail('df', `expected a finite number >= 1, got ${df}`);
  if (!Number.isFinite(ncp)) fail('ncp', `expected a finite number, got ${ncp}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const logNorm = (1 - df / 2) * Math.LN2 - gammaln(df / 2);
  const density = (u: number) => (u === 0 ? (df === 1 ? Math.exp(logNorm) : 0) : Math.exp(logNorm + (df - 1) * Math.log(u) - (u * u) / 2));
  const f = (u: number) => normalCdf((t * u) / Math.sqrt(df) - ncp) * density(u);
  const upper = Math.sqrt(df) + 9;
  const h = upper / PANELS;
  let sum = f(0) + f(upper);
  for (let i = 1; i < PANELS; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return Math.min(1, Math.max(0, (sum * h) / 3));
}

/**
 * Descriptive statistics over number arrays: mean, sample variance and std, quantiles.
 * Empty inputs are InternalErrors (callers pass cells with samples); a spread that needs two
 * samples is NaN with one, so a single-seed cell still summarises.
 */
import { fail, requireSamples } from './checks.ts';

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

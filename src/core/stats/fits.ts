/**
 * Least-squares fits: a straight line, a power law (log-log slope) and the critical-batch
 * curve S(B) = S_min (1 + B_noise / B).
 */
import { fail, requirePaired, requireSamples } from './checks.ts';
import { mean } from './descriptive.ts';
import { tQuantile } from './distributions.ts';

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
 * Student t interval of a fitted slope at `level` in (0, 1), default 0.95: slope +- t * slopeSe
 * with n - 2 degrees of freedom. NaN bounds when the fit has fewer than 3 points.
 */
export function slopeCi(fit: LinearFit, level = 0.95): { lo: number; hi: number } {
  if (!(level > 0 && level < 1)) fail('level', `expected a number in (0, 1), got ${level}`);
  const half = fit.n > 2 ? tQuantile((1 + level) / 2, fit.n - 2) * fit.slopeSe : NaN;
  return { lo: fit.slope - half, hi: fit.slope + half };
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

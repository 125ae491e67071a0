/**
 * The stated rule that picks how per-seed values are summarised, so that a verdict never
 * prints an estimated-looking interval for something that was not estimated:
 *
 * 1. exact: every seed gave the same value (a deterministic outcome, e.g. a step count fixed
 *    by design). Reported as "identical in all n seeds"; no interval, p or MDE.
 * 2. sign: some values stand for diverged runs (imputed as the worst, so only their order is
 *    data), or the sample is heavily skewed (|G1| > SKEW_LIMIT) or bimodal (bimodality
 *    coefficient > BIMODALITY_LIMIT) with at least SHAPE_MIN_N values. The median with its
 *    order-statistic interval and the exact sign test: valid whatever the distribution.
 * 3. t: otherwise (the Student t interval of the mean, or BCa when asked for from 10 seeds).
 *
 * Shape checks on a handful of seeds are weak: with 10 normal values the rule switches to
 * sign about 4% of the time (simulated), and it misses most bimodal samples of that size;
 * the sign interval stays valid when it is used needlessly, only wider.
 */
import { mean } from './descriptive.ts';

export type SeedProcedure = 'exact' | 'sign' | 't';

export const SHAPE_MIN_N = 8;
/** Adjusted sample skewness beyond which the t interval's coverage is not trusted. */
export const SKEW_LIMIT = 1.5;
/** Pfister et al. (2013) bimodality coefficient of a uniform distribution: above it, bimodal. */
export const BIMODALITY_LIMIT = 5 / 9;

/** The second and the `order`-th population central moments of xs (non-empty). */
function centralMoments(xs: readonly number[], order: number): { m2: number; mk: number } {
  const m = mean(xs);
  let m2 = 0;
  let mk = 0;
  for (const x of xs) {
    m2 += (x - m) ** 2;
    mk += (x - m) ** order;
  }
  return { m2: m2 / xs.length, mk: mk / xs.length };
}

/** Adjusted Fisher-Pearson sample skewness G1 = g1 sqrt(n (n - 1)) / (n - 2); NaN for n < 3 or no spread. */
export function sampleSkewness(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return NaN;
  const { m2, mk: m3 } = centralMoments(xs, 3);
  if (m2 === 0) return NaN;
  return (m3 / m2 ** 1.5) * (Math.sqrt(n * (n - 1)) / (n - 2));
}

/** Adjusted sample excess kurtosis G2; NaN for n < 4 or no spread. */
export function sampleExcessKurtosis(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 4) return NaN;
  const { m2, mk: m4 } = centralMoments(xs, 4);
  if (m2 === 0) return NaN;
  const g2 = m4 / m2 ** 2 - 3;
  return ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
}

/** Bimodality coefficient (G1^2 + 1) / (G2 + 3 (n - 1)^2 / ((n - 2)(n - 3))); NaN for n < 4. */
export function bimodalityCoefficient(xs: readonly number[]): number {
  const n = xs.length;
  const g1 = sampleSkewness(xs);
  const g2 = sampleExcessKurtosis(xs);
  return (g1 * g1 + 1) / (g2 + (3 * (n - 1) ** 2) / ((n - 2) * (n - 3)));
}

export interface ProcedureChoice {
  procedure: SeedProcedure;
  /** Why, in words, for the verdict's sentence ('' for t). */
  why: string;
}

/** The rule above; `imputed` counts the values that stand for diverged runs. */
export function chooseSeedProcedure(values: readonly number[], imputed = 0): ProcedureChoice {
  const n = values.length;
  if (n >= 2 && values.every((v) => v === values[0])) return { procedure: 'exact', why: `identical in all ${n} seeds` };
  if (imputed > 0) {
    return { procedure: 'sign', why: `${imputed} of ${n} seeds stand for diverged runs (an imputed value: only their order is data)` };
  }
  if (n >= SHAPE_MIN_N) {
    const skew = sampleSkewness(values);
    if (Math.abs(skew) > SKEW_LIMIT) return { procedure: 'sign', why: `the per-seed values are heavily skewed (G1 ${skew.toFixed(2)}, beyond +-${SKEW_LIMIT})` };
    const bc = bimodalityCoefficient(values);
    if (bc > BIMODALITY_LIMIT) return { procedure: 'sign', why: `the per-seed values look bimodal (bimodality coefficient ${bc.toFixed(3)} > 5/9)` };
  }
  return { procedure: 't', why: '' };
}

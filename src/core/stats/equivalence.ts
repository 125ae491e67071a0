/** Equivalence of paired differences within a margin: two one-sided t tests (TOST). */
import { fail, requireSamples } from './checks.ts';
import { tCdf } from './distributions.ts';
import { meanCi } from './t-tests.ts';

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

/**
 * evaluateClaim: one claim on one sweep's runs -> a verdict. Pure and deterministic (the
 * bootstrap is seeded by the claim). Missing data makes a verdict INCONCLUSIVE; a claim that
 * cannot be evaluated as written (an ambiguous selector, a non-numeric x) is a UsageError.
 */
import { holmAdjust } from '../stats/index.ts';
import { evaluatePaired } from './paired.ts';
import { matches, uniqueRuns } from './select.ts';
import { evaluateTrend } from './trend.ts';
import type { Claim, ClaimRun, Verdict } from './types.ts';

export function evaluateClaim(claim: Claim, runs: readonly ClaimRun[]): Verdict {
  const selected = uniqueRuns(runs).filter((r) => matches(r, claim.test.where));
  const test = claim.test;
  switch (test.kind) {
    case 'paired-difference':
    case 'interaction':
    case 'equivalence':
      return evaluatePaired(claim, test, selected);
    case 'slope':
    case 'rank-correlation':
    case 'critical-batch':
      return evaluateTrend(claim, test, selected);
  }
}

/**
 * The verdicts of one spec's claims with Holm-adjusted p-values (pHolm) beside the raw ones:
 * the family is the claims tested on one sweep. Verdict labels are per claim and unchanged.
 */
export function adjustForMultipleClaims(verdicts: readonly Verdict[]): Verdict[] {
  const adjusted = holmAdjust(verdicts.map((v) => v.p));
  return verdicts.map((v, i) => ({ ...v, pHolm: adjusted[i]! }));
}

/** Every summary.csv column the claim names, with the spec path that names it (for checking against a results dir). */
export function claimColumns(claim: Claim): { path: string; column: string }[] {
  const out: { path: string; column: string }[] = [];
  const t = claim.test;
  const selectors: [string, Record<string, unknown>][] = [['where', t.where]];
  if (t.kind === 'interaction') selectors.push(['a1', t.a1], ['a2', t.a2], ['b1', t.b1], ['b2', t.b2]);
  else if (t.kind === 'paired-difference' || t.kind === 'equivalence') selectors.push(['a', t.a], ['b', t.b]);
  else {
    out.push({ path: 'claim.test.x', column: t.x });
    if (t.tune) out.push({ path: 'claim.test.tune', column: t.tune });
  }
  for (const [key, sel] of selectors) for (const column of Object.keys(sel)) out.push({ path: `claim.test.${key}.${column}`, column });
  return out;
}

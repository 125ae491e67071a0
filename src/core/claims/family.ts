/**
 * The family a printed table's adjusted p belongs to. Holm's step-down adjustment (core/stats)
 * over every test printed ('all', the default when several result folders are verified
 * together) or within each spec's claims ('spec', each verdicts.json's pHolm). Verdicts
 * without a p (exact outcomes, or too few seeds) are not tests and are not counted. Pure.
 */
import { holmAdjust } from '../stats/index.ts';
import type { Verdict } from './types.ts';

export const FAMILY_SCOPES = ['all', 'spec'] as const;
export type FamilyScope = (typeof FAMILY_SCOPES)[number];

/** Adjusted p of every verdict, grouped as given (one group per results folder). */
export function adjustFamily(groups: readonly (readonly Verdict[])[], scope: FamilyScope): number[][] {
  if (scope === 'spec') return groups.map((vs) => holmAdjust(vs.map((v) => v.p)));
  const flat = holmAdjust(groups.flatMap((vs) => vs.map((v) => v.p)));
  let at = 0;
  return groups.map((vs) => vs.map(() => flat[at++]!));
}

/** Tests counted in the family: verdicts with a p. */
export function familySize(groups: readonly (readonly Verdict[])[]): number {
  return groups.flat().filter((v) => !Number.isNaN(v.p) && v.p !== null).length;
}

/** Column header naming the family: 'p (Holm over all 23 tests here)' or 'p (Holm within each spec)'. */
export function familyHeader(scope: FamilyScope, size: number): string {
  return scope === 'all' ? `p (Holm over all ${size} test${size === 1 ? '' : 's'} here)` : 'p (Holm within each spec)';
}

/**
 * The verdict label beside its family-adjusted p: a SUPPORTED verdict whose adjusted p is not
 * below 0.05 is said not to survive the adjustment (its interval is per claim, at 95%).
 */
export function labelAfterFamily(v: Verdict, pAdjusted: number): string {
  return v.verdict === 'SUPPORTED' && pAdjusted >= 0.05 ? 'SUPPORTED (not after Holm)' : v.verdict;
}

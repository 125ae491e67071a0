/**
 * Power before running: from a verdict computed on saved runs (a pilot, or an earlier sweep),
 * the spread of the per-seed values, and whether the planned number of seeds can decide the claim.
 * The distance to decide is how far the pilot's estimate lies from the boundary the verdict
 * turns on (the threshold; the nearest edge of a band; for equivalence, the margin less |estimate|
 * when inside it). The design can decide when the minimal detectable effect at the planned seeds
 * (80% power; alpha 0.05 two-sided, 0.1 for the two one-sided tests of equivalence) is below that
 * distance. Pure.
 */
import { minimalDetectableEffect, std } from '../stats/index.ts';
import type { Claim, Verdict } from './types.ts';

export interface ClaimPlan {
  claimId: string;
  /** Seeds the pilot verdict rests on. */
  pilotSeeds: number;
  /** Standard deviation of the pilot's per-seed values. */
  sd: number;
  estimate: number;
  /** Distance from the estimate to the boundary the verdict turns on (metric units). */
  distance: number;
  plannedSeeds: number;
  /** MDE at the planned seeds. */
  mde: number;
  decidable: boolean;
  /** The fewest seeds (up to MAX_SEEDS) whose MDE is below the distance; null when none. */
  seedsNeeded: number | null;
  why: string;
}

export const MAX_PLANNED_SEEDS = 200;

/** The per-seed values behind a verdict (paired differences, or each seed's trend statistic). */
export function perSeedValues(v: Verdict): number[] {
  const d = v.details as { differences?: unknown; perSeed?: unknown };
  if (Array.isArray(d.differences)) return (d.differences as unknown[]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (Array.isArray(d.perSeed)) {
    return (d.perSeed as { value?: unknown }[]).map((p) => p.value).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  }
  return [];
}

function distanceToDecide(claim: Claim, estimate: number): number {
  if (claim.test.kind === 'equivalence') return Math.abs(claim.test.margin - Math.abs(estimate));
  const e = claim.expect!;
  if ('above' in e) return Math.abs(estimate - e.above);
  if ('below' in e) return Math.abs(estimate - e.below);
  return Math.min(Math.abs(estimate - e.between[0]), Math.abs(estimate - e.between[1]));
}

/** The plan for one claim from its pilot verdict, at `plannedSeeds` seeds. */
export function planClaim(claim: Claim, pilot: Verdict, plannedSeeds: number): ClaimPlan {
  const values = perSeedValues(pilot);
  const base = { claimId: claim.id, pilotSeeds: values.length, estimate: pilot.estimate, plannedSeeds };
  if (values.length < 2) {
    return { ...base, sd: NaN, distance: NaN, mde: NaN, decidable: false, seedsNeeded: null, why: `the saved runs give ${values.length} seed value${values.length === 1 ? '' : 's'}; a spread needs 2 or more` };
  }
  const sd = std(values);
  const distance = distanceToDecide(claim, pilot.estimate);
  if (sd === 0) {
    return { ...base, sd, distance, mde: 0, decidable: true, seedsNeeded: 2, why: 'identical in every pilot seed: the outcome is deterministic, and any number of seeds shows it' };
  }
  const alpha = claim.test.kind === 'equivalence' ? 0.1 : 0.05;
  const mdeAt = (n: number) => minimalDetectableEffect(sd, n, { alpha });
  const mde = plannedSeeds >= 2 ? mdeAt(plannedSeeds) : NaN;
  // The MDE falls as n grows: bisect for the fewest seeds below the distance.
  let seedsNeeded: number | null = null;
  if (mdeAt(MAX_PLANNED_SEEDS) < distance) {
    let lo = 1; // MDE undefined (not below) at 1 seed
    let hi = MAX_PLANNED_SEEDS;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (mdeAt(mid) < distance) hi = mid;
      else lo = mid;
    }
    seedsNeeded = hi;
  }
  const decidable = Number.isFinite(mde) && mde < distance;
  const what = claim.test.kind === 'equivalence' ? `the margin ${claim.test.margin} less |estimate|` : 'the distance from the estimate to the threshold';
  const why = decidable
    ? `MDE ${mde.toPrecision(3)} at ${plannedSeeds} seeds is below ${what}, ${distance.toPrecision(3)}`
    : `MDE ${Number.isFinite(mde) ? mde.toPrecision(3) : 'undefined'} at ${plannedSeeds} seeds is not below ${what}, ${distance.toPrecision(3)}: ${seedsNeeded ? `it needs ${seedsNeeded} seeds` : `no number of seeds up to ${MAX_PLANNED_SEEDS} decides it`}`;
  return { ...base, sd, distance, mde, decidable, seedsNeeded, why };
}

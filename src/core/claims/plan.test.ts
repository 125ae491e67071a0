import { describe, expect, it } from 'vitest';
import { minimalDetectableEffect } from '../stats/index.ts';
import { planClaim } from './plan.ts';
import type { Claim, Verdict } from './types.ts';

const claimOf = (test: Record<string, unknown>, expect?: Claim['expect']): Claim =>
  ({ id: 'P', statement: 's', metric: { name: 'final_train_loss' }, test: { where: {}, labels: {}, ...test }, ...(expect ? { expect } : {}), bootstrap: { iterations: 1, seed: 0, level: 0.95 }, minSeeds: 5 }) as Claim;
const pilot = (differences: number[]): Verdict =>
  ({ estimate: differences.reduce((a, b) => a + b, 0) / differences.length, details: { differences } }) as unknown as Verdict;

describe('planClaim', () => {
  // Pilot differences with mean 0.0002 and sd 0.0006 (as C9 measured): a margin of 1e-4 is
  // already inside the estimate, so no number of seeds decides it; a margin of 1e-3 does.
  const diffs = [-0.0004, 0.0008, 0.0002, -0.0004, 0.0008, 0.0002, -0.0004, 0.0008, 0.0002, 0.0002];
  it('refuses a margin that the spread cannot decide, and says how many seeds a wider one needs', () => {
    const tight = planClaim(claimOf({ kind: 'equivalence', margin: 0.0001 }), pilot(diffs), 10);
    expect(tight.decidable).toBe(false);
    // |estimate| 0.0002 is beyond the margin by 0.0001: only many seeds could show it lies outside.
    expect(tight.seedsNeeded).toBeGreaterThan(10);
    expect(minimalDetectableEffect(tight.sd, tight.seedsNeeded!, { alpha: 0.1 })).toBeLessThan(tight.distance);
    expect(minimalDetectableEffect(tight.sd, tight.seedsNeeded! - 1, { alpha: 0.1 })).toBeGreaterThanOrEqual(tight.distance);
    const wide = planClaim(claimOf({ kind: 'equivalence', margin: 0.001 }), pilot(diffs), 10);
    expect(wide.decidable).toBe(true);
    expect(wide.distance).toBeCloseTo(0.0008, 12);
    expect(wide.mde).toBeCloseTo(minimalDetectableEffect(wide.sd, 10, { alpha: 0.1 }), 12);
    expect(wide.seedsNeeded).toBeLessThanOrEqual(10);
  });

  it('above a threshold: the distance from the estimate, MDE at the planned seeds, the seeds needed', () => {
    const d = [1, 2, 3, 4, 5]; // mean 3, sd 1.58
    const p = planClaim(claimOf({ kind: 'paired-difference' }, { above: 0 }), pilot(d), 3);
    expect(p.distance).toBe(3);
    expect(p.mde).toBeCloseTo(minimalDetectableEffect(Math.sqrt(2.5), 3), 12);
    expect(p.decidable).toBe(p.mde < 3);
    const need = p.seedsNeeded!;
    expect(minimalDetectableEffect(Math.sqrt(2.5), need)).toBeLessThan(3);
    expect(minimalDetectableEffect(Math.sqrt(2.5), need - 1)).toBeGreaterThanOrEqual(3);
  });

  it('identical pilot seeds: deterministic, decidable with any seeds', () => {
    expect(planClaim(claimOf({ kind: 'paired-difference' }, { below: 0 }), pilot([-5, -5, -5]), 10)).toMatchObject({ decidable: true, sd: 0 });
  });
});

/**
 * A tuned-slope claim (`slope` of the best `lr` against `batch_size`, `y: tuned`) as verify saved
 * it: the best-LR finding of the family the claim covers states the claim's numbers, so the
 * report and the verdict give one slope with one interval (each seed's best LR chosen on the
 * claim's split and interpolated between grid points). Pure.
 */
import type { Verdict } from '../../core/claims/types.ts';
import type { ConfigGroup } from '../sweep-view.ts';
import { seedEstimateName, seedInterval } from '../seed-estimate.ts';
import { describeExponent, exponentVerdict, finding, inFamily, num, type Finding } from './types.ts';

export interface ClaimBestLr {
  claimId: string;
  /** The claim's test.where: which runs it covers. */
  where: Record<string, unknown>;
  verdict: string;
  expect: string;
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  interval: string;
  n: number;
  /** The best LR per batch size over all seeds (pooled), and how it was found. */
  points: { batchSize: number; lr: number; how: string }[];
  /** Seeds whose best LR is the smallest or largest tried, and at which batch size. */
  gridEdges: { seed: number; x: number }[];
  /** The metric and split that chose the LR, in words. */
  chosen: string;
  /** The verdict's sentence (says why there is no estimate, when there is none). */
  reason: string;
}

interface SavedClaim {
  id?: string;
  test?: { kind?: string; y?: string; tune?: string; x?: string; where?: Record<string, unknown> };
}

/** The tuned-slope claims among saved verdicts; `claims` is verdicts.json's resolved `claims` list. */
export function claimBestLrViews(verdicts: readonly Verdict[], claims: readonly unknown[]): ClaimBestLr[] {
  const out: ClaimBestLr[] = [];
  for (const v of verdicts) {
    const c = (claims as SavedClaim[]).find((x) => x?.id === v.claimId);
    const t = c?.test;
    if (v.kind !== 'slope' || t?.y !== 'tuned' || t.tune !== 'lr' || t.x !== 'batch_size') continue;
    const d = v.details as {
      points?: { x: number; y: number; how?: string }[];
      gridEdges?: { seed: number; x: number }[];
      tunedOn?: { split: string; metric: string };
    };
    const split = d.tunedOn?.split;
    const chosen = d.tunedOn
      ? `${d.tunedOn.metric}${split === 'validation' ? ' on the validation split' : split === 'test' ? ' on the test split (the verdict is held back for it)' : ''}`
      : '';
    out.push({
      claimId: v.claimId, where: t.where ?? {}, verdict: v.verdict, expect: v.expect,
      estimate: v.estimate, lo: v.lo, hi: v.hi, level: v.level, interval: v.interval, n: v.n,
      points: (d.points ?? []).map((p) => ({ batchSize: p.x, lr: p.y, how: p.how ?? '' })),
      gridEdges: d.gridEdges ?? [], chosen, reason: v.reason,
    });
  }
  return out;
}

/** Whether every group's runs satisfy the claim's `where` (an extra axis such as `arm`, or the scaling rule). */
export function coversFamily(claim: ClaimBestLr, groups: readonly ConfigGroup[]): boolean {
  if (!groups.length) return false;
  return groups.every((g) => {
    const s = g.runs[0]!.summary;
    return Object.entries(claim.where).every(([k, want]) => {
      const have = k === 'scaling_rule' ? s.scalingRule : s.axes[k];
      if (have === undefined) return false;
      return String(have) === String(want) || (Number.isFinite(Number(have)) && Number(have) === Number(want));
    });
  });
}

/** The best-LR finding, in the claim's numbers. */
export function claimBestLrFinding(id: string, family: string, c: ClaimBestLr): Finding {
  const identical = c.interval === 'exact';
  const interval = seedInterval(c);
  const edges = c.gridEdges.length
    ? ` In ${new Set(c.gridEdges.map((e) => e.seed)).size} of ${c.n} seeds the best LR is the smallest or largest tried (at ${[...new Set(c.gridEdges.map((e) => e.x))].sort((a, b) => a - b).map((x) => `B=${x}`).join(', ')}): a bound only, so the optimum may lie beyond the grid.`
    : ` No seed's best LR lies at an edge of the grid.`;
  const exponent = identical ? describeExponent(c.estimate, c.estimate, c.estimate) : describeExponent(c.estimate, c.lo, c.hi);
  return finding(
    id,
    'final-heatmap',
    `The best learning rate grows about as B^${num(c.estimate)} with the batch size${inFamily(family)}, as claim ${c.claimId} computes it ` +
      `(log-log slope ${num(c.estimate)}, ${seedEstimateName(c, 'slope')}, ${interval}; each seed's best LR chosen by ${c.chosen || 'its metric'} and interpolated between grid points): ` +
      `${exponent}. Claim ${c.claimId} (${c.expect}): ${c.verdict}.${edges}`,
    c.points.map((p) => `B=${p.batchSize}: best LR ${num(p.lr)} over all seeds (${p.how || 'grid point'}).`),
    `Best LR${inFamily(family)} grows as B^${num(c.estimate)} (${identical ? 'same slope in every seed' : `${num(c.lo)} to ${num(c.hi)}`}, ${c.n} seeds; claim ${c.claimId} ${c.verdict}): ` +
      `${identical ? exponentVerdict(c.estimate, c.estimate) : exponentVerdict(c.lo, c.hi)}.`,
  );
}

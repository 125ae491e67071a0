/** Pieces every statistic's evaluator shares: display scale, labels, the seed minimum, and verdict assembly. */
import type { Decision } from './decide.ts';
import type { Inference } from './inference.ts';
import { metricIsFraction, metricLabel } from './metric.ts';
import { describeSelector } from './select.ts';
import type { Claim, Selector, TestKind, Verdict } from './types.ts';

/** Fractions (accuracy, error) read as percentage points in sentences; values stay in metric units. */
export function displayScale(claim: Claim): { scale: number; unit: string } {
  return metricIsFraction(claim.metric) ? { scale: 100, unit: 'points' } : { scale: 1, unit: '' };
}

/** The label a sentence uses for group `key` of the test: the spec's label, else the selector in braces. */
export function groupLabel(claim: Claim, key: string, selector: Selector): string {
  return claim.test.labels[key] ?? `{${describeSelector(selector)}}`;
}

/** What an evaluator computes; assembleVerdict adds what the claim says (id, statement, kind, metric, minSeeds). */
export type VerdictFields = Omit<Verdict, 'claimId' | 'statement' | 'kind' | 'metric' | 'minSeeds' | 'pHolm'>;

export function assembleVerdict(claim: Claim, f: VerdictFields): Verdict {
  return {
    claimId: claim.id,
    statement: claim.statement,
    kind: claim.test.kind as TestKind,
    metric: metricLabel(claim.metric),
    statistic: f.statistic,
    estimate: f.estimate,
    lo: f.lo,
    hi: f.hi,
    level: f.level,
    interval: f.interval,
    n: f.n,
    minSeeds: claim.minSeeds,
    p: f.p,
    pHolm: f.p,
    mde: f.mde,
    expect: f.expect,
    verdict: f.verdict,
    reason: f.reason,
    details: f.details,
  };
}

/** '3 seeds < 5: ' when a verdict lacks seeds, else ''. */
export function seedShortfall(n: number, minSeeds: number): string {
  return n < minSeeds ? `${n} seed${n === 1 ? '' : 's'} < ${minSeeds}: ` : '';
}

/**
 * The seed minimum, applied in one place: with fewer than `minSeeds` seeds the verdict is
 * INCONCLUSIVE whatever the interval says, and the clause says why. `seeds` names what is
 * counted ('seeds', 'paired seeds').
 */
export function applySeedMinimum(d: Decision, n: number, minSeeds: number, seeds = 'seeds'): Decision {
  if (n >= minSeeds) return d;
  return { verdict: 'INCONCLUSIVE', clause: `a verdict needs ${minSeeds} ${seeds} (the interval is ${d.clause})` };
}

/** "(95% CI 8.1 to 16 points, n=3 seeds)" */
export function ciText(lo: string, hi: string, level: number, n: number, extra = ''): string {
  return `(${Math.round(level * 100)}% CI ${lo} to ${hi}, n=${n} seed${n === 1 ? '' : 's'}${extra})`;
}

/**
 * The estimate and how it was made, for a sentence: '+4.2 points (95% CI 3.7 to 4.8, n=5 seeds)';
 * '-1760, identical in all 10 seeds'; with the sign procedure, the median and its order-statistic
 * interval, or, when values were imputed for diverged runs, only the counts (an imputed number's
 * size is not data). `show` formats a value in display units; `extra` goes inside the t parentheses.
 */
export function estimateText(inf: Inference, show: (x: number, signed?: boolean) => string, u: string, n: number, extra = '', imputed = 0): string {
  if (inf.interval === 'exact') return `${show(inf.estimate, true)}${u}, ${inf.why}`;
  if (inf.interval === 'sign') {
    const cover = Number.isFinite(inf.coverage) ? `, coverage ${(100 * inf.coverage!).toFixed(1)}%` : ', too few seeds for this level';
    if (imputed > 0) return `judged by its sign, not its size (${inf.why}, n=${n} seeds; no median or interval is given, their size would be an imputed value's)`;
    return `median ${show(inf.estimate, true)}${u} (${Math.round(inf.level * 100)}% order-statistic interval ${show(inf.lo)} to ${show(inf.hi)}${cover}, n=${n} seeds; ${inf.why})`;
  }
  return `${show(inf.estimate, true)}${u} ${ciText(show(inf.lo), show(inf.hi), inf.level, n, extra)}`;
}

/** '; minimal detectable effect at 80% power 0.7 points', or '' where there is none (exact, sign). */
export function mdeClause(inf: Inference, show: (x: number) => string, u: string): string {
  return Number.isFinite(inf.mde) ? `; minimal detectable effect at 80% power ${show(inf.mde)}${u}` : '';
}

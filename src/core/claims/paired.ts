/**
 * Statistics on per-seed combinations of cells: paired-difference (A - B), interaction
 * ([A1 - A2] - [B1 - B2]) and equivalence (TOST on A - B). A seed enters only when every
 * cell has a finite value for it, so each difference compares runs with the same initial
 * weights and data order.
 */
import { mean } from '../stats/index.ts';
import { decide, decideEquivalence, describeExpectation } from './decide.ts';
import { fmt } from '../format-number.ts';
import { metricLabel, metricValue } from './metric.ts';
import { bySeed, describeSelector, matches, runValue, sortSeeds } from './select.ts';
import type { Claim, ClaimRun, EquivalenceTest, InteractionTest, PairedTest, Selector, Verdict } from './types.ts';
import { inferEquivalence, inferFromSeeds, type Inference } from './inference.ts';
import { applySeedMinimum, assembleVerdict, displayScale, estimateText, groupLabel, mdeClause, seedShortfall } from './build-verdict.ts';

type PairedKind = PairedTest | InteractionTest | EquivalenceTest;

interface LeftOut {
  group: string;
  seed: string;
  runId: string;
  why: string;
}

function groupsOf(test: PairedKind): [string, Selector][] {
  return test.kind === 'interaction'
    ? [['a1', test.a1], ['a2', test.a2], ['b1', test.b1], ['b2', test.b2]]
    : [['a', test.a], ['b', test.b]];
}

function combine(test: PairedKind, v: Record<string, number>): number {
  return test.kind === 'interaction' ? (v.a1! - v.a2!) - (v.b1! - v.b2!) : v.a! - v.b!;
}

function whyNoValue(value: number | 'diverged' | 'missing', status: string | undefined): string {
  if (value === 'diverged') return 'diverged';
  if (value === 'missing') return status === 'completed' ? 'metric missing' : (status ?? 'missing');
  return 'target never reached';
}

/** Per-seed values of each group, and what was left out and why. */
function collect(claim: Claim, test: PairedKind, runs: readonly ClaimRun[]) {
  const perGroup = new Map<string, Map<string, number>>();
  const imputed = new Set<string>();
  const leftOut: LeftOut[] = [];
  const empty: string[] = [];
  for (const [key, selector] of groupsOf(test)) {
    const cells = bySeed(runs.filter((r) => matches(r, selector)), `claim.test.${key}`, `${key} (${describeSelector(selector)})`);
    if (cells.size === 0) empty.push(key);
    const values = new Map<string, number>();
    for (const [seed, run] of cells) {
      const v = runValue(run, claim.metric);
      // metric.diverged stands in for a diverged run's missing value: a number whose size is not data.
      if (run.values.status === 'diverged' && !Number.isFinite(metricValue(run, claim.metric)) && typeof v === 'number') imputed.add(seed);
      if (typeof v === 'number' && Number.isFinite(v)) values.set(seed, v);
      else leftOut.push({ group: key, seed, runId: run.values.run_id ?? '', why: whyNoValue(v, run.values.status) });
    }
    perGroup.set(key, values);
  }
  const keys = [...perGroup.keys()];
  const allSeeds = new Set([...perGroup.values()].flatMap((m) => [...m.keys()]));
  const seeds = sortSeeds([...allSeeds].filter((s) => keys.every((k) => perGroup.get(k)!.has(s))));
  return { perGroup, leftOut, empty, seeds, imputed: seeds.filter((s) => imputed.has(s)).length };
}

function lackOfData(claim: Claim, test: PairedKind, what: string, c: ReturnType<typeof collect>): string {
  const groups = groupsOf(test).map(([k]) => k).join(', ');
  if (c.empty.length) {
    const [k] = c.empty;
    const sel = groupsOf(test).find(([g]) => g === k)![1];
    return `No run matches ${k} ${groupLabel(claim, k!, sel)}, so ${what} cannot be computed.`;
  }
  const out = c.leftOut.length ? `; left out: ${c.leftOut.map((l) => `seed ${l.seed} in ${l.group} (${l.why})`).join(', ')}` : '';
  return `Only ${c.seeds.length} seed${c.seeds.length === 1 ? ' has' : 's have'} a finite ${metricLabel(claim.metric)} in every group (${groups}), at least 2 are needed for an interval${out}.`;
}

export function evaluatePaired(claim: Claim, test: PairedKind, runs: readonly ClaimRun[]): Verdict {
  const c = collect(claim, test, runs);
  const { scale, unit } = displayScale(claim);
  const u = unit ? ` ${unit}` : '';
  const L = (k: string) => groupLabel(claim, k, groupsOf(test).find(([g]) => g === k)![1]);
  const what = test.kind === 'interaction'
    ? `[${L('a1')} - ${L('a2')}] - [${L('b1')} - ${L('b2')}] in ${metricLabel(claim.metric)}`
    : `${L('a')} minus ${L('b')} in ${metricLabel(claim.metric)}`;
  const diffs = c.seeds.map((s) => combine(test, Object.fromEntries([...c.perGroup].map(([k, m]) => [k, m.get(s)!]))));
  const details: Record<string, unknown> = {
    seeds: c.seeds.map(Number),
    differences: diffs,
    groupMeans: Object.fromEntries([...c.perGroup].map(([k, m]) => [k, c.seeds.length ? mean(c.seeds.map((s) => m.get(s)!)) : NaN])),
    selectors: Object.fromEntries(groupsOf(test)),
    leftOut: c.leftOut,
    ...(c.imputed ? { imputedSeeds: c.imputed } : {}),
  };
  const baseStatistic = test.kind === 'interaction' ? 'interaction (difference of differences)' : 'paired difference';
  const statisticOf = (inf: Inference) => `${inf.interval === 'sign' ? 'median' : inf.interval === 'exact' ? '' : 'mean'} ${baseStatistic}`.trim();
  const isEq = test.kind === 'equivalence';
  const expect = isEq ? `within +-${fmt(test.margin)}` : describeExpectation(claim.expect!);
  const n = c.seeds.length;
  const short = seedShortfall(n, claim.minSeeds);
  const show = (x: number, signed = false) => fmt(x * scale, signed);

  if (n < 2) {
    const estimate = diffs.length ? diffs[0]! : NaN;
    return assembleVerdict(claim, {
      statistic: `mean ${baseStatistic}`, level: isEq ? 0.9 : 0.95, interval: 't', n, expect, details, estimate, lo: NaN, hi: NaN, p: NaN, mde: NaN,
      verdict: 'INCONCLUSIVE', reason: `${short}${lackOfData(claim, test, what, c)}`,
    });
  }
  if (isEq) {
    const inf = inferEquivalence(diffs, test.margin, c.imputed);
    const d = decideEquivalence(inf.lo, inf.hi, test.margin, scale, unit);
    const { verdict, clause } = applySeedMinimum(d, n, claim.minSeeds, 'paired seeds');
    const t = inf.tost;
    const reason = `${short}${what} is ${estimateText(inf, show, u, n, t ? `, TOST p=${fmt(t.p)}` : '', c.imputed)}, ${clause}${mdeClause(inf, show, u)}.`;
    return assembleVerdict(claim, {
      statistic: statisticOf(inf), level: inf.level, interval: inf.interval, n, expect, ...published(inf, c.imputed),
      p: inf.p, mde: inf.mde, verdict, reason,
      details: { ...details, ...(t ? { tost: { pLower: t.pLower, pUpper: t.pUpper, p: t.p, margin: t.margin } } : {}), ...procedureDetails(inf) },
    });
  }
  const inf = inferFromSeeds(diffs, claim.expect!, test.interval, claim.bootstrap, undefined, c.imputed);
  const d = decide(inf.lo, inf.hi, claim.expect!, scale, unit);
  const { verdict, clause } = applySeedMinimum(d, n, claim.minSeeds, 'paired seeds');
  const how = inf.interval === 'bootstrap' ? ', BCa bootstrap' : '';
  const reason = `${short}${what} is ${estimateText(inf, show, u, n, how, c.imputed)}, ${clause}${mdeClause(inf, show, u)}.`;
  return assembleVerdict(claim, {
    statistic: statisticOf(inf), level: inf.level, interval: inf.interval, n, expect, ...published(inf, c.imputed),
    p: inf.p, mde: inf.mde, verdict, reason, details: { ...details, ...(inf.note ? { intervalNote: inf.note } : {}), ...procedureDetails(inf) },
  });
}

/**
 * The estimate and interval a verdict publishes. With values imputed for diverged runs the sign
 * test decides (the median's order-statistic interval against the threshold), but the median and
 * the bounds would be imputed numbers, whose size is not data: none is given (NaN).
 */
function published(inf: Inference, imputed: number): { estimate: number; lo: number; hi: number } {
  if (imputed > 0 && inf.interval === 'sign') return { estimate: NaN, lo: NaN, hi: NaN };
  return { estimate: inf.estimate, lo: inf.lo, hi: inf.hi };
}

/** What the procedure rule chose and why, for verdicts.json. */
export function procedureDetails(inf: Inference): Record<string, unknown> {
  if (!inf.why) return {};
  return { procedure: { kind: inf.interval, why: inf.why, ...(inf.counts ? { counts: inf.counts } : {}), ...(inf.coverage !== undefined ? { coverage: inf.coverage } : {}) } };
}

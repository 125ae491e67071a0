/**
 * Statistics of a metric against a numeric column x (usually batch_size): slope of a fit,
 * Spearman's rank correlation, and the critical batch size of S(B) = S_min (1 + B_noise / B).
 * Seeds are the resampling unit: each bootstrap draw takes whole seeds (every run of a seed),
 * re-tunes (when `tune` is set) and refits.
 */
import { UsageError } from '../../errors.ts';
import { bootstrapCi, fitCriticalBatch, linearFit, spearman } from '../stats.ts';
import { decide, describeExpectation, fmt } from './decide.ts';
import { metricGoal, metricLabel } from './metric.ts';
import { ambiguous, runValue, sortSeeds, type RunValue } from './select.ts';
import type { Claim, ClaimRun, CriticalBatchTest, RankTest, SlopeTest, Verdict } from './types.ts';
import { assembleVerdict, ciText } from './verdict-parts.ts';

type TrendTest = SlopeTest | RankTest | CriticalBatchTest;

/** x -> tuned value (as text; '' without tune) -> seed -> the run's value. */
type Cells = Map<number, Map<string, Map<string, RunValue>>>;

interface Point {
  x: number;
  y: number;
  /** The tuned column's chosen value for this x, when tuning. */
  tuned?: string;
}

function bad(path: string, message: string): never {
  throw new UsageError(`claim: ${path}: ${message}`, [{ path, message }]);
}

export function buildCells(claim: Claim, test: TrendTest, runs: readonly ClaimRun[]): Cells {
  const groups = new Map<string, ClaimRun[]>();
  for (const run of runs) {
    const raw = run.values[test.x] ?? '';
    const x = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(x)) bad('claim.test.x', `expected a numeric column, got ${JSON.stringify(raw)} in run ${run.values.run_id}`);
    const tuned = test.tune ? (run.values[test.tune] ?? '') : '';
    if (test.kind === 'slope' && test.y === 'tuned' && !Number.isFinite(Number(tuned))) {
      bad('claim.test.tune', `expected a numeric column to fit, got ${JSON.stringify(tuned)} in run ${run.values.run_id}`);
    }
    const key = JSON.stringify([x, tuned, run.values.seed ?? '']);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const cells: Cells = new Map();
  for (const [key, rs] of groups) {
    const [x, tuned, seed] = JSON.parse(key) as [number, string, string];
    if (rs.length > 1) ambiguous('claim.test', `${test.x}=${x}${test.tune ? `, ${test.tune}=${tuned}` : ''}, seed ${seed}`, rs);
    if (!cells.has(x)) cells.set(x, new Map());
    const byTune = cells.get(x)!;
    if (!byTune.has(tuned)) byTune.set(tuned, new Map());
    byTune.get(tuned)!.set(seed, runValue(rs[0]!, claim.metric));
  }
  return new Map([...cells].sort((a, b) => a[0] - b[0]));
}

/**
 * Mean over the drawn seeds (with repeats) of one cell. A diverged run counts as the worst
 * value (it tells the LR is too large); failed runs and absent seeds are skipped.
 */
function cellMean(cell: Map<string, RunValue>, seeds: readonly string[], worst: number): number | undefined {
  let sum = 0;
  let n = 0;
  for (const s of seeds) {
    const v = cell.get(s);
    if (v === undefined || v === 'missing') continue;
    sum += v === 'diverged' ? worst : v;
    n++;
  }
  return n ? sum / n : undefined;
}

/** The tuned value with the best finite mean over `seeds` (ties: the smaller value); undefined when none. */
function chooseTuned(byTune: Map<string, Map<string, RunValue>>, seeds: readonly string[], claim: Claim): string | undefined {
  const max = metricGoal(claim.metric) === 'max';
  let best: string | undefined;
  let bestMean = NaN;
  const keys = [...byTune.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const k of keys) {
    const m = cellMean(byTune.get(k)!, seeds, max ? -Infinity : Infinity);
    if (m === undefined || !Number.isFinite(m)) continue;
    if (best === undefined || (max ? m > bestMean : m < bestMean)) [best, bestMean] = [k, m];
  }
  return best;
}

/** The points the statistic is computed on, for one draw of seeds. */
function pointsFor(claim: Claim, test: TrendTest, cells: Cells, seeds: readonly string[]): Point[] {
  const points: Point[] = [];
  for (const [x, byTune] of cells) {
    const tuned = test.tune ? chooseTuned(byTune, seeds, claim) : '';
    if (tuned === undefined) continue;
    const cell = byTune.get(tuned)!;
    const tag = test.tune ? { tuned } : {};
    if (test.kind === 'slope' && test.y === 'tuned') {
      points.push({ x, y: Number(tuned), ...tag });
    } else if (test.kind === 'critical-batch') {
      const m = cellMean(cell, seeds, Infinity);
      if (m !== undefined && Number.isFinite(m)) points.push({ x, y: m, ...tag });
    } else {
      for (const s of seeds) {
        const v = cell.get(s);
        if (typeof v === 'number' && Number.isFinite(v)) points.push({ x, y: v, ...tag });
      }
    }
  }
  return points;
}

const distinctX = (ps: readonly Point[]) => new Set(ps.map((p) => p.x)).size;

interface FitOut {
  value: number;
  extra: Record<string, unknown>;
}

/** The statistic on a set of points; NaN when there are too few to define it. */
function statistic(test: TrendTest, points: readonly Point[]): FitOut {
  if (test.kind === 'slope') {
    const tx = (v: number) => (test.xScale === 'log' ? Math.log(v) : v);
    const ty = (v: number) => (test.yScale === 'log' ? Math.log(v) : v);
    const ps = points.filter((p) => (test.xScale === 'linear' || p.x > 0) && (test.yScale === 'linear' || p.y > 0));
    if (distinctX(ps) < 2) return { value: NaN, extra: {} };
    const fit = linearFit(ps.map((p) => tx(p.x)), ps.map((p) => ty(p.y)));
    return { value: fit.slope, extra: { intercept: fit.intercept, r2: fit.r2, pointsDropped: points.length - ps.length } };
  }
  if (test.kind === 'rank-correlation') {
    if (distinctX(points) < 2) return { value: NaN, extra: {} };
    return { value: spearman(points.map((p) => p.x), points.map((p) => p.y)), extra: {} };
  }
  const ps = points.filter((p) => p.x > 0);
  if (distinctX(ps) < 3) return { value: NaN, extra: {} };
  const fit = fitCriticalBatch(ps.map((p) => p.x), ps.map((p) => p.y));
  return { value: fit.bNoise, extra: { sMin: fit.sMin, r2: fit.r2 } };
}

function describeTrend(claim: Claim, test: TrendTest): { statistic: string; what: string } {
  const metric = metricLabel(claim.metric);
  const tunedNote = test.tune ? ` at the best ${test.tune} per ${test.x}` : '';
  if (test.kind === 'slope') {
    const scales = `${test.yScale}-${test.xScale}`;
    const y = test.y === 'tuned' ? `the best ${test.tune} (by mean ${metric})` : `${metric}${tunedNote}`;
    return { statistic: `${scales} slope`, what: `The ${scales} slope of ${y} against ${test.x}` };
  }
  if (test.kind === 'rank-correlation') {
    return { statistic: 'Spearman rho', what: `Spearman's rho between ${test.x} and ${metric}${tunedNote}` };
  }
  return { statistic: 'B_noise', what: `B_noise of S = S_min (1 + B_noise / ${test.x}) fitted to the mean ${metric}${tunedNote}` };
}

export function evaluateTrend(claim: Claim, test: TrendTest, runs: readonly ClaimRun[]): Verdict {
  const cells = buildCells(claim, test, runs);
  const withData = new Set<string>();
  const leftOut: Record<string, number> = {};
  for (const byTune of cells.values()) {
    for (const cell of byTune.values()) {
      for (const [seed, v] of cell) {
        if (typeof v === 'number' && Number.isFinite(v)) withData.add(seed);
        else {
          const why = typeof v === 'number' ? 'target never reached' : v;
          leftOut[why] = (leftOut[why] ?? 0) + 1;
        }
      }
    }
  }
  const seeds = sortSeeds(withData);
  const all = pointsFor(claim, test, cells, seeds);
  const est = seeds.length ? statistic(test, all) : { value: NaN, extra: {} };
  const { statistic: statName, what } = describeTrend(claim, test);
  const expect = describeExpectation(claim.expect!);
  const details: Record<string, unknown> = {
    seeds: seeds.map(Number),
    xValues: [...cells.keys()],
    points: all,
    ...est.extra,
    runsWithoutValue: leftOut,
    bootstrap: claim.bootstrap,
  };
  const base = { statistic: statName, level: claim.bootstrap.level, interval: 'bootstrap' as const, n: seeds.length, expect, details };
  if (seeds.length < 2 || !Number.isFinite(est.value)) {
    const need = test.kind === 'critical-batch' ? `3 values of ${test.x} with a finite mean` : `2 values of ${test.x}`;
    const why = seeds.length < 2
      ? `Only ${seeds.length} seed${seeds.length === 1 ? ' has' : 's have'} a finite ${metricLabel(claim.metric)}, 2 are needed`
      : `${what} cannot be computed: it needs at least ${need}, got ${distinctX(all)}`;
    return assembleVerdict(claim, { ...base, estimate: est.value, lo: NaN, hi: NaN, verdict: 'INCONCLUSIVE', reason: `${why}.` });
  }
  const ci = bootstrapCi(seeds, (draw) => {
    try {
      return statistic(test, pointsFor(claim, test, cells, draw)).value;
    } catch {
      return NaN; // a draw whose fit is undefined (e.g. one distinct x) is dropped
    }
  }, claim.bootstrap);
  const d = decide(ci.lo, ci.hi, claim.expect!);
  const fitNote = test.kind === 'critical-batch'
    ? `; S_min ${fmt(est.extra.sMin as number)}, r2 ${fmt(est.extra.r2 as number)}`
    : test.kind === 'slope' ? `; r2 ${fmt(est.extra.r2 as number)}` : '';
  const reason = `${what} is ${fmt(est.value, true)} ${ciText(fmt(ci.lo), fmt(ci.hi), claim.bootstrap.level, seeds.length, fitNote)}, ${d.clause}.`;
  return assembleVerdict(claim, { ...base, estimate: est.value, lo: ci.lo, hi: ci.hi, verdict: d.verdict, reason });
}

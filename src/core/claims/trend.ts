/**
 * Statistics of a metric against a numeric column x (usually batch_size): slope of a fit,
 * Spearman's rank correlation, and the critical batch size of S(B) = S_min (1 + B_noise / B).
 * Seeds are the unit: each seed's own statistic (its runs alone, refitted) gives the t
 * interval; with the bootstrap (10+ seeds) each draw takes whole seeds, re-tunes and refits
 * the pooled statistic. With `y: tuned`, each best value is interpolated between grid points.
 */
import { UsageError } from '../../errors.ts';
import { fitCriticalBatch, linearFit, spearman } from '../stats/index.ts';
import { bestTuned, type BestTuned } from './best-tuned.ts';
import { decide, describeExpectation, type Decision } from './decide.ts';
import { fmt } from '../format-number.ts';
import { metricGoal, metricLabel } from './metric.ts';
import { ambiguous, runValue, sortSeeds, type RunValue } from './select.ts';
import type { Claim, ClaimRun, CriticalBatchTest, MetricSpec, RankTest, SlopeTest, Verdict } from './types.ts';
import { applyTuningGate, planTuning, type TuningPlan } from './tuning.ts';
import { inferFromSeeds } from './inference.ts';
import { applySeedMinimum, assembleVerdict, estimateText, mdeClause, seedShortfall } from './build-verdict.ts';
import { procedureDetails } from './paired.ts';

type TrendTest = SlopeTest | RankTest | CriticalBatchTest;

/** x -> tuned value (as text; '' without tune) -> seed -> the run's value. */
type Cells = Map<number, Map<string, Map<string, RunValue>>>;

interface Point {
  x: number;
  y: number;
  /** The tuned column's chosen value for this x, when tuning. */
  tuned?: string;
  /** y: tuned: how the best value was found (parabola, grid edge, grid point). */
  how?: BestTuned['how'];
}

function bad(path: string, message: string): never {
  throw new UsageError(`claim: ${path}: ${message}`, [{ path, message }]);
}

export function buildCells(claim: Claim, test: TrendTest, runs: readonly ClaimRun[], metric: MetricSpec = claim.metric): Cells {
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
    byTune.get(tuned)!.set(seed, runValue(rs[0]!, metric));
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

/** y: tuned: the best tuned value over `seeds` (mean score per grid value), interpolated when asked. */
function bestOfCell(claim: Claim, test: SlopeTest, byTune: Map<string, Map<string, RunValue>>, seeds: readonly string[]) {
  const max = metricGoal(claim.metric) === 'max';
  const worst = max ? -Infinity : Infinity;
  const candidates = [...byTune].map(([value, cell]) => ({ value: Number(value), score: cellMean(cell, seeds, worst) ?? NaN }));
  return bestTuned(candidates, max ? 'max' : 'min', test.interpolate === 'parabola');
}

/**
 * The points the statistic is computed on, for one set of seeds (one seed, all of them, or a
 * bootstrap draw). `tuneSeeds`: the seeds that choose the tuned value when the fitted y is
 * the metric (all seeds, so one seed's noise does not pick its own best).
 */
function pointsFor(
  claim: Claim, test: TrendTest, cells: Cells, seeds: readonly string[], tuneSeeds: readonly string[] = seeds, choose?: Choice,
): Point[] {
  const points: Point[] = [];
  for (const [x, byTune] of cells) {
    // The tuned value is chosen on the selection metric's cells (the validation split), scored on `cells`.
    const chooseBy = choose?.cells.get(x) ?? byTune;
    if (test.kind === 'slope' && test.y === 'tuned') {
      const best = bestOfCell(choose?.claim ?? claim, test, chooseBy, seeds);
      if (best) points.push({ x, y: best.value, how: best.how });
      continue;
    }
    const tuned = test.tune ? chooseTuned(chooseBy, tuneSeeds, choose?.claim ?? claim) : '';
    if (tuned === undefined) continue;
    const cell = byTune.get(tuned)!;
    const tag = test.tune ? { tuned } : {};
    if (test.kind === 'critical-batch') {
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

/** The cells a tuned value is chosen on, and the claim whose metric (goal) they hold. */
interface Choice {
  cells: Cells;
  claim: Claim;
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
    // A tuned slope fits the chosen value itself; how it was chosen (by which metric, on which split)
    // follows in the tuning clause, and the verdict's metric is the one it was chosen by.
    if (test.y === 'tuned') return { statistic: `${scales} slope of the best ${test.tune}`, what: `The ${scales} slope of the best ${test.tune} against ${test.x}` };
    return { statistic: `${scales} slope`, what: `The ${scales} slope of ${metric}${tunedNote} against ${test.x}` };
  }
  if (test.kind === 'rank-correlation') {
    return { statistic: 'Spearman rho', what: `Spearman's rho between ${test.x} and ${metric}${tunedNote}` };
  }
  return { statistic: 'B_noise', what: `B_noise of S = S_min (1 + B_noise / ${test.x}) fitted to each seed's ${metric}${tunedNote}` };
}

export function evaluateTrend(claim: Claim, test: TrendTest, runs: readonly ClaimRun[]): Verdict {
  const cells = buildCells(claim, test, runs);
  const tunedY = test.kind === 'slope' && test.y === 'tuned';
  const tuning: TuningPlan | undefined = test.tune ? planTuning(claim, test.tune, test.tuneOn ?? 'validation', runs, !tunedY) : undefined;
  const choose: Choice | undefined = tuning && tuning.select !== claim.metric
    ? { cells: buildCells(claim, test, runs, tuning.select), claim: { ...claim, metric: tuning.select } }
    : undefined;
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
  const all = pointsFor(claim, test, cells, seeds, seeds, choose);
  const est = seeds.length ? safeStatistic(test, all) : { value: NaN, extra: {} };
  // Each seed's own statistic: its runs alone (tuned values chosen on all seeds, except for
  // y: tuned, where the seed's own best value is the point).
  const seedPoints = seeds.map((s) => ({ seed: s, points: pointsFor(claim, test, cells, [s], seeds, choose) }));
  const perSeed = seedPoints.map(({ seed, points }) => ({ seed, value: safeStatistic(test, points).value }));
  // y: tuned: a seed whose best value is the smallest or largest tried has only a bound there.
  const gridEdges = seedPoints.flatMap(({ seed, points }) => points.filter((p) => p.how === 'grid edge').map((p) => ({ seed: Number(seed), x: p.x, value: p.y })));
  const usable = perSeed.filter((p) => Number.isFinite(p.value));
  const values = usable.map((p) => p.value);
  const { statistic: statName, what } = describeTrend(claim, test);
  // A tuned slope reads only the metric it was chosen by: the verdict names that one.
  const named = tunedY && tuning ? { ...claim, metric: tuning.select } : claim;
  const expect = describeExpectation(claim.expect!);
  const n = usable.length;
  const details: Record<string, unknown> = {
    seeds: seeds.map(Number),
    xValues: [...cells.keys()],
    points: all,
    pooledEstimate: est.value,
    ...est.extra,
    perSeed: perSeed.map((p) => ({ seed: Number(p.seed), value: Number.isFinite(p.value) ? p.value : null })),
    runsWithoutValue: leftOut,
    ...(test.kind === 'slope' && test.y === 'tuned' ? { gridEdges } : {}),
    bootstrap: claim.bootstrap,
    ...(tuning ? { tunedOn: { split: tuning.on, metric: metricLabel(tuning.select), validationExamples: tuning.validationSizes, ...(tuning.problem ? { problem: tuning.problem } : {}) } } : {}),
  };
  const short = seedShortfall(n, claim.minSeeds);
  if (n < 2) {
    const need = test.kind === 'critical-batch' ? `3 values of ${test.x} with a finite value` : `2 values of ${test.x}`;
    const why = `Only ${n} seed${n === 1 ? ' has' : 's have'} their own ${statName} (it needs at least ${need} per seed), at least 2 are needed for an interval`;
    return assembleVerdict(named, {
      statistic: statName, level: 0.95, interval: 't', n, expect, details, estimate: n ? values[0]! : est.value,
      lo: NaN, hi: NaN, p: NaN, mde: NaN, verdict: 'INCONCLUSIVE', reason: `${short}${why}.`,
    });
  }
  const usedSeeds = usable.map((p) => p.seed);
  const inf = inferFromSeeds(values, claim.expect!, test.interval, claim.bootstrap, {
    rows: usedSeeds,
    statistic: (draw: string[]) => safeStatistic(test, pointsFor(claim, test, cells, draw, draw, choose)).value,
  });
  const d = decide(inf.lo, inf.hi, claim.expect!);
  const { verdict, clause } = applyTuningGate(applyEdgeGate(applySeedMinimum(d, n, claim.minSeeds), test, gridEdges, n), tuning);
  const fitNote = test.kind === 'critical-batch'
    ? `; pooled S_min ${fmt(est.extra.sMin as number)}, r2 ${fmt(est.extra.r2 as number)}`
    : test.kind === 'slope' && Number.isFinite(est.extra.r2 as number) ? `; pooled r2 ${fmt(est.extra.r2 as number)}` : '';
  const over = inf.interval === 'bootstrap' ? ', BCa bootstrap over seeds' : ', t over per-seed values';
  const tuneText = tuning ? ` (${tuning.text})` : '';
  const show = (x: number, signed = false) => fmt(x, signed);
  // With t or the bootstrap the pooled fit goes inside the interval's parentheses; otherwise after the estimate.
  const ruled = inf.interval === 'exact' || inf.interval === 'sign';
  const fitAfter = ruled && fitNote ? ` (${fitNote.slice(2)})` : '';
  const reason = `${short}${what}${tuneText} is ${estimateText(inf, show, '', n, `${over}${fitNote}`)}${fitAfter}, ${clause}${mdeClause(inf, show, '')}.`;
  return assembleVerdict(named, {
    statistic: inf.interval === 'sign' ? `median ${statName}` : statName, level: inf.level, interval: inf.interval, n, expect,
    estimate: inf.estimate, lo: inf.lo, hi: inf.hi, p: inf.p, mde: inf.mde, verdict, reason,
    details: { ...details, ...(inf.note ? { intervalNote: inf.note } : {}), ...procedureDetails(inf) },
  });
}

/**
 * y: tuned: a best value at the grid's edge is a bound, not an estimate (the optimum may lie
 * beyond), so a slope through it decides nothing: INCONCLUSIVE, naming the seeds and x values.
 */
function applyEdgeGate(d: Decision, test: TrendTest, edges: readonly { seed: number; x: number }[], n: number): Decision {
  if (!edges.length || test.kind !== 'slope' || test.y !== 'tuned') return d;
  const seeds = new Set(edges.map((e) => e.seed)).size;
  const at = [...new Set(edges.map((e) => e.x))].sort((a, b) => a - b).map((x) => `${test.x}=${x}`).join(', ');
  return {
    verdict: 'INCONCLUSIVE',
    clause: `a verdict needs every seed's best ${test.tune} inside the grid: in ${seeds} of ${n} seeds it is the smallest or largest value tried (at ${at}), a bound only, so the grid must be widened (the interval is ${d.clause})`,
  };
}

/** The statistic, NaN when a fit is undefined on these points (e.g. a single distinct x). */
function safeStatistic(test: TrendTest, points: readonly Point[]): FitOut {
  try {
    return statistic(test, points);
  } catch {
    return { value: NaN, extra: {} };
  }
}

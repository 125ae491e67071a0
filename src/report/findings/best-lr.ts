/**
 * How the best learning rate grows with the batch size: for each batch size, the applied (peak)
 * LR of the configuration with the best mean final metric over every rule and base LR tried
 * there (configurations with a diverged seed excluded; the metric of the validation split when
 * the runs have one, see SweepView.selectOn). The slope of log(best LR) on log(B) is fitted per
 * seed (each seed's own best LR) and averaged, with its 95% t interval over seeds. A slope of 1 is linear
 * scaling, 0.5 square-root scaling, 0 a constant LR. Pure.
 */
import { linearFit, meanCi, slopeCi } from '../../core/stats/index.ts';
import type { SweepView } from '../sweep-view.ts';
import { describeSelection, isBetter, selectionMetric, selectionScore } from '../sweep-view.ts';
import { ci, describeExponent, exponentVerdict, families, finding, inFamily, isExact, leftOut, num, type FindingsResult } from './types.ts';
import { claimBestLrFinding, coversFamily, type ClaimBestLr } from './claim-best-lr.ts';

export { describeExponent, exponentVerdict };

export interface BestLrPoint {
  batchSize: number;
  /** Applied peak LR of the best configuration. */
  lr: number;
  /** The best LR is the smallest or largest LR tried at this batch size (so only a bound). */
  edge: 'smallest' | 'largest' | null;
}

export interface BestLrFit {
  points: BestLrPoint[];
  slope: number;
  /** 95% t interval of the slope over batch sizes (df = points - 2). */
  lo: number;
  hi: number;
}

/** Best applied LR per batch size of one family's groups; batch sizes with < 2 LRs tried are skipped. */
export function bestLrPoints(view: SweepView, groups: SweepView['groups']): BestLrPoint[] {
  const out: BestLrPoint[] = [];
  for (const b of view.batchSizes) {
    const here = groups.filter((g) => g.batchSize === b && Number.isFinite(g.lr) && g.lr > 0);
    const tried = [...new Set(here.filter((g) => g.completed.length || g.diverged).map((g) => g.lr))];
    if (tried.length < 2) continue;
    let best: (typeof here)[number] | undefined;
    for (const g of here) {
      if (g.diverged > 0) continue;
      const score = selectionScore(g, view);
      if (!Number.isFinite(score)) continue;
      // Ties (the rules coincide at the reference batch size) keep the first, the same LR.
      if (!best || isBetter(score, selectionScore(best, view), view.task)) best = g;
    }
    if (!best) continue;
    const edge = best.lr === Math.max(...tried) ? 'largest' : best.lr === Math.min(...tried) ? 'smallest' : null;
    out.push({ batchSize: b, lr: best.lr, edge });
  }
  return out;
}

/** The log-log fit; NaN bounds when fewer than 3 batch sizes. */
export function fitBestLr(points: BestLrPoint[]): BestLrFit {
  const fit = linearFit(points.map((p) => Math.log(p.batchSize)), points.map((p) => Math.log(p.lr)));
  return { points, slope: fit.slope, ...slopeCi(fit) };
}

/**
 * The seed as the unit: each seed's own best applied LR per batch size (its own selection
 * metric, completed runs only), its own log-log slope over the batch sizes where it has one,
 * then the mean slope with its 95% t interval over seeds (df = seeds - 1). Undefined with fewer
 * than 2 seeds that have a slope.
 */
export function perSeedBestLrSlope(view: SweepView, groups: SweepView['groups']): { slope: number; lo: number; hi: number; seeds: number } | undefined {
  const seeds = [...new Set(groups.flatMap((g) => g.completed.map((r) => r.summary.seed)))].sort((a, b) => a - b);
  const slopes: number[] = [];
  for (const seed of seeds) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const b of view.batchSizes) {
      let best: { lr: number; score: number } | undefined;
      for (const g of groups) {
        if (g.batchSize !== b || !(g.lr > 0)) continue;
        const run = g.completed.find((r) => r.summary.seed === seed);
        const score = run ? selectionMetric(run.summary, view.task, view.selectOn) : NaN;
        if (!Number.isFinite(score)) continue;
        if (!best || isBetter(score, best.score, view.task)) best = { lr: g.lr, score };
      }
      if (best) {
        xs.push(Math.log(b));
        ys.push(Math.log(best.lr));
      }
    }
    if (xs.length >= 2) slopes.push(linearFit(xs, ys).slope);
  }
  if (slopes.length < 2) return undefined;
  const ci = meanCi(slopes, 0.95);
  return { slope: ci.mean, lo: ci.lo, hi: ci.hi, seeds: slopes.length };
}

/**
 * `claims`: tuned-slope claims verify saved for this sweep; a family a claim covers gets the
 * claim's slope and interval (one computation for the verdict and the report).
 */
export function findBestLrGrowth(view: SweepView, claims: readonly ClaimBestLr[] = []): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const topic = 'how the best learning rate grows with the batch size';
  for (const { family, groups } of families(view)) {
    const id = `best-lr${family ? `-${family}` : ''}`;
    const claim = claims.find((c) => coversFamily(c, groups));
    if (claim) {
      if (Number.isFinite(claim.estimate)) out.findings.push(claimBestLrFinding(id, family, claim));
      else out.leftOut.push(leftOut(id, topic + inFamily(family), `claim ${claim.claimId}, which covers these runs, has no slope: ${claim.reason}`));
      continue;
    }
    const lrsTried = new Set(groups.map((g) => g.lr));
    if (lrsTried.size < 2) {
      out.leftOut.push(leftOut(id, topic + inFamily(family), `only one learning rate (${num([...lrsTried][0] ?? NaN)}) was tried`));
      continue;
    }
    const points = bestLrPoints(view, groups);
    if (points.length < 3) {
      out.leftOut.push(leftOut(id, topic + inFamily(family), `it needs a best LR at 3 or more batch sizes (each with 2 or more LRs tried and a stable one); this sweep has ${points.length}`));
      continue;
    }
    const pooled = fitBestLr(points);
    const bySeed = perSeedBestLrSlope(view, groups);
    if (!bySeed) {
      out.leftOut.push(leftOut(id, topic + inFamily(family), 'it needs two or more seeds with a best LR at two or more batch sizes (the interval is over seeds)'));
      continue;
    }
    const fit = { ...pooled, slope: bySeed.slope, lo: bySeed.lo, hi: bySeed.hi };
    const exact = isExact(fit.lo, fit.hi, fit.slope);
    const interval = exact ? 'the same slope in every seed' : ci(fit.lo, fit.hi);
    const edges = points.filter((p) => p.edge);
    const edgeText = edges.length
      ? ` At ${edges.map((p) => `B=${p.batchSize}`).join(', ')} the best LR is the ${edges.length === 1 ? `${edges[0]!.edge} LR tried there` : 'smallest or largest LR tried there'}, so the true optimum may lie beyond it.`
      : '';
    out.findings.push(finding(
      id,
      'final-heatmap',
      `The best learning rate grows about as B^${num(fit.slope)} with the batch size${inFamily(family)} ` +
        `(log-log slope ${num(fit.slope)}, the mean of each seed's own slope, ${interval}, n = ${bySeed.seeds} seeds over ${points.length} batch sizes): ${describeExponent(fit.slope, fit.lo, fit.hi)}. ` +
        `Best applied LR over every rule and base LR (${describeSelection(view)}): ${points.map((p) => `B=${p.batchSize}: ${num(p.lr)}`).join(', ')}.${edgeText}`,
      [],
      `Best LR${inFamily(family)} grows as B^${num(fit.slope)} (${exact ? 'same slope in every seed' : ci(fit.lo, fit.hi)}, ${bySeed.seeds} seeds): ${exponentVerdict(fit.lo, fit.hi)}; ` +
        `best LR ${points.map((p) => `${num(p.lr)} at B=${p.batchSize}`).join(', ')}.`,
    ));
  }
  return out;
}

/**
 * How the best learning rate grows with the batch size: for each batch size, the applied (peak)
 * LR of the configuration with the best mean final metric over every rule and base LR tried
 * there (configurations with a diverged seed excluded; the metric of the validation split when
 * the runs have one, see SweepView.selectOn), then the least-squares slope of
 * log(best LR) on log(B) with its 95% t interval over the batch sizes. A slope of 1 is linear
 * scaling, 0.5 square-root scaling, 0 a constant LR. Pure.
 */
import { linearFit, slopeCi } from '../../core/stats/index.ts';
import type { SweepView } from '../sweep-view.ts';
import { describeSelection, isBetter, selectionScore } from '../sweep-view.ts';
import { ci, covers, families, finding, inFamily, isExact, leftOut, num, type FindingsResult } from './types.ts';

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

/** Plain words for where linear (1), square-root (0.5) and constant (0) fall against the interval. */
export function describeExponent(slope: number, lo: number, hi: number): string {
  const lin = covers(lo, hi, 1);
  const sqrt = covers(lo, hi, 0.5);
  const closer = Math.abs(slope - 1) < Math.abs(slope - 0.5) ? 'linear' : 'square-root';
  let text: string;
  if (lin && sqrt) text = `both linear (1) and square-root (0.5) scaling lie in the interval, so these batch sizes do not tell them apart (the estimate is closer to ${closer})`;
  else if (sqrt) text = 'consistent with square-root scaling (0.5), not linear (1)';
  else if (lin) text = 'consistent with linear scaling (1), not square-root (0.5)';
  else text = `neither linear (1) nor square-root (0.5) lies in the interval; the estimate is closer to ${closer}`;
  if (covers(lo, hi, 0)) text += '; a constant best LR (0) is not excluded either';
  return text;
}

export function findBestLrGrowth(view: SweepView): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const topic = 'how the best learning rate grows with the batch size';
  for (const { family, groups } of families(view)) {
    const id = `best-lr${family ? `-${family}` : ''}`;
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
    const fit = fitBestLr(points);
    const exact = isExact(fit.lo, fit.hi, fit.slope);
    const interval = exact ? 'the points lie exactly on the line' : ci(fit.lo, fit.hi);
    const edges = points.filter((p) => p.edge);
    const edgeText = edges.length
      ? ` At ${edges.map((p) => `B=${p.batchSize}`).join(', ')} the best LR is the ${edges.length === 1 ? `${edges[0]!.edge} LR tried there` : 'smallest or largest LR tried there'}, so the true optimum may lie beyond it.`
      : '';
    out.findings.push(finding(
      id,
      'final-heatmap',
      `The best learning rate grows about as B^${num(fit.slope)} with the batch size${inFamily(family)} ` +
        `(log-log slope ${num(fit.slope)}, ${interval}, n = ${points.length} batch sizes): ${describeExponent(fit.slope, fit.lo, fit.hi)}. ` +
        `Best applied LR over every rule and base LR (${describeSelection(view)}): ${points.map((p) => `B=${p.batchSize}: ${num(p.lr)}`).join(', ')}.${edgeText}`,
    ));
  }
  return out;
}

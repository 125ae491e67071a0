/**
 * The generalisation-gap trend: per scaling rule, the least-squares slope of the final gap
 * (accuracy: train − test, in points; loss: test − train) on log2 of the batch size, over every
 * completed run of each batch size's best configuration, with its 95% t interval (df = runs − 2).
 * The slope is the change per doubling of the batch. Pure.
 */
import { linearFit, slopeCi } from '../../core/stats/index.ts';
import type { SweepView } from '../sweep-view.ts';
import { ci, covers, finding, isExact, leftOut, num, signed, type FindingsResult } from './types.ts';

export interface GapTrend {
  panel: string;
  /** Change of the gap per doubling of B (points or loss units). */
  slope: number;
  lo: number;
  hi: number;
  runs: number;
  batchSizes: number;
  /** Mean gap at the smallest and largest batch size. */
  first: { batchSize: number; gap: number };
  last: { batchSize: number; gap: number };
}

export function gapTrend(view: SweepView, panel: string): GapTrend | string {
  const acc = view.task === 'classification';
  const pts = view.best
    .filter((g) => g.panel === panel)
    .flatMap((g) => g.completed.map((r) => ({ b: g.batchSize, gap: acc ? 100 * r.summary.genGapAcc : r.summary.genGapLoss })))
    .filter((p) => Number.isFinite(p.gap));
  const bs = [...new Set(pts.map((p) => p.b))].sort((a, b) => a - b);
  if (bs.length < 2) return `only ${bs.length} batch size${bs.length === 1 ? ' has' : 's have'} a completed run with a gap`;
  if (pts.length < 3) return `${pts.length} runs are too few for an interval (it needs 3 or more)`;
  const fit = linearFit(pts.map((p) => Math.log2(p.b)), pts.map((p) => p.gap));
  const meanAt = (b: number) => { const xs = pts.filter((p) => p.b === b).map((p) => p.gap); return xs.reduce((a, c) => a + c, 0) / xs.length; };
  return {
    panel, slope: fit.slope, ...slopeCi(fit), runs: pts.length, batchSizes: bs.length,
    first: { batchSize: bs[0]!, gap: meanAt(bs[0]!) }, last: { batchSize: bs[bs.length - 1]!, gap: meanAt(bs[bs.length - 1]!) },
  };
}

export function findGenGap(view: SweepView): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const acc = view.task === 'classification';
  const what = acc ? 'accuracy gap (train − test)' : 'loss gap (test − train)';
  const unit = acc ? ' points' : '';
  const details: string[] = [];
  for (const panel of view.panels) {
    const t = gapTrend(view, panel);
    if (typeof t === 'string') {
      out.leftOut.push(leftOut(`gen-gap-${panel}`, `the generalisation-gap trend for ${panel}`, t));
      continue;
    }
    const exact = isExact(t.lo, t.hi, t.slope);
    const trend = !exact && covers(t.lo, t.hi, 0)
      ? `no clear trend: ${signed(t.slope)}${unit} per doubling of B is not distinguishable from 0`
      : `${t.slope > 0 ? 'grows' : 'shrinks'} by about ${num(Math.abs(t.slope))}${unit} per doubling of B`;
    details.push(`${panel}: ${trend} (${exact ? 'exact fit' : `${ci(t.lo, t.hi)}${unit}`}, n = ${t.runs} runs at ${t.batchSizes} batch sizes); ` +
      `${num(t.first.gap)}${unit} at B=${t.first.batchSize}, ${num(t.last.gap)}${unit} at B=${t.last.batchSize}.`);
  }
  if (details.length) {
    const lrNote = view.baseLrs.length > 1 ? ", each batch size at its best base LR" : '';
    out.findings.push(finding('gen-gap', 'gen-gap', `Generalisation gap: the final ${what} against the batch size, per scaling rule${lrNote}, slope fitted on log2 B over the runs.`, details));
  }
  return out;
}

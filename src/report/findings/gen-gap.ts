/**
 * The generalisation-gap trend: per scaling rule, the least-squares slope of the final gap
 * (accuracy: train − test, in points; loss: test − train) on log2 of the batch size. The seed is
 * the unit: each seed's own slope over its runs at each batch size's best configuration, then the
 * mean of those slopes with its 95% t interval (df = seeds − 1). Runs of one seed share initial
 * weights and data order, so treating them as independent points would overstate the evidence.
 * The slope is the change per doubling of the batch. Pure.
 */
import { linearFit, meanCi } from '../../core/stats/index.ts';
import type { SweepView } from '../sweep-view.ts';
import { ci, covers, finding, isExact, leftOut, num, signed, type FindingsResult } from './types.ts';

export interface GapTrend {
  panel: string;
  /** Change of the gap per doubling of B (points or loss units). */
  slope: number;
  lo: number;
  hi: number;
  runs: number;
  /** Seeds with their own slope (two or more batch sizes). */
  seeds: number;
  batchSizes: number;
  /** Mean gap at the smallest and largest batch size. */
  first: { batchSize: number; gap: number };
  last: { batchSize: number; gap: number };
}

export function gapTrend(view: SweepView, panel: string): GapTrend | string {
  const acc = view.task === 'classification';
  const pts = view.best
    .filter((g) => g.panel === panel)
    .flatMap((g) => g.completed.map((r) => ({ b: g.batchSize, seed: r.summary.seed, gap: acc ? 100 * r.summary.genGapAcc : r.summary.genGapLoss })))
    .filter((p) => Number.isFinite(p.gap));
  const bs = [...new Set(pts.map((p) => p.b))].sort((a, b) => a - b);
  if (bs.length < 2) return `only ${bs.length} batch size${bs.length === 1 ? ' has' : 's have'} a completed run with a gap`;
  const slopes: number[] = [];
  for (const seed of [...new Set(pts.map((p) => p.seed))].sort((a, b) => a - b)) {
    const mine = pts.filter((p) => p.seed === seed);
    if (new Set(mine.map((p) => p.b)).size < 2) continue;
    slopes.push(linearFit(mine.map((p) => Math.log2(p.b)), mine.map((p) => p.gap)).slope);
  }
  if (slopes.length < 2) return `${slopes.length} seed${slopes.length === 1 ? ' has' : 's have'} a gap at two or more batch sizes; an interval over seeds needs two or more`;
  const ci = meanCi(slopes, 0.95);
  const meanAt = (b: number) => { const xs = pts.filter((p) => p.b === b).map((p) => p.gap); return xs.reduce((a, c) => a + c, 0) / xs.length; };
  return {
    panel, slope: ci.mean, lo: ci.lo, hi: ci.hi, runs: pts.length, seeds: slopes.length, batchSizes: bs.length,
    first: { batchSize: bs[0]!, gap: meanAt(bs[0]!) }, last: { batchSize: bs[bs.length - 1]!, gap: meanAt(bs[bs.length - 1]!) },
  };
}

export function findGenGap(view: SweepView): FindingsResult {
  const out: FindingsResult = { findings: [], leftOut: [] };
  const acc = view.task === 'classification';
  const what = acc ? 'accuracy gap (train − test)' : 'loss gap (test − train)';
  const unit = acc ? ' points' : '';
  const details: string[] = [];
  const short: string[] = [];
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
    details.push(`${panel}: ${trend} (${exact ? 'the same slope in every seed' : `${ci(t.lo, t.hi)}${unit}`}, n = ${t.seeds} seeds, ${t.runs} runs at ${t.batchSizes} batch sizes); ` +
      `${num(t.first.gap)}${unit} at B=${t.first.batchSize}, ${num(t.last.gap)}${unit} at B=${t.last.batchSize}.`);
    short.push(`${panel} ${signed(t.slope)}${!exact && covers(t.lo, t.hi, 0) ? ' (not distinguishable from 0)' : ''}`);
  }
  if (details.length) {
    const lrNote = view.baseLrs.length > 1 ? ", each batch size at its best base LR" : '';
    out.findings.push(finding('gen-gap', 'gen-gap', `Generalisation gap: the final ${what} against the batch size, per scaling rule${lrNote}, slope fitted on log2 B per seed, averaged over seeds.`, details,
      `Generalisation ${what}, change per doubling of B${unit ? ` (${unit.trim()})` : ''}: ${short.join(', ')}.`));
  }
  return out;
}

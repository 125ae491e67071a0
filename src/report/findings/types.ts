/**
 * What the findings functions return, and the wording they share. A finding is one sentence
 * with its numbers, interval and n, plus the chart it reads from; a finding the data cannot
 * support is left out with the reason. Pure.
 */
import { fmtSig } from '../../core/format-number.ts';
import type { RunSummary } from '../../results/read-results.ts';
import type { ConfigGroup, SweepView } from '../sweep-view.ts';

export interface Finding {
  /** Stable id, e.g. 'best-lr' or 'accuracy-lost-none'. */
  id: string;
  /** The sentence: numbers, interval, n, and hedged wording where the interval says so. */
  text: string;
  /** The finding in one short line for the terminal (its numbers, the interval or n where they decide it). */
  headline: string;
  /** Further sentences (one per batch size or rule), shown as a sub-list. */
  details: string[];
  /** Id of the report section (chart) the finding reads from: the anchor of its link. */
  chart: string;
}

export interface LeftOut {
  id: string;
  /** What the finding would have said, e.g. 'how the best LR grows with the batch size'. */
  topic: string;
  why: string;
}

export interface FindingsResult {
  findings: Finding[];
  leftOut: LeftOut[];
}

/** A finding; `headline` defaults to `text` (for findings whose sentence is already one short line). */
export const finding = (id: string, chart: string, text: string, details: string[] = [], headline = text): Finding => ({ id, chart, text, headline, details });
export const leftOut = (id: string, topic: string, why: string): LeftOut => ({ id, topic, why });

/** 3 significant digits; '—' for non-finite. */
export const num = (x: number) => fmtSig(x, 3);

/** A signed number with a real minus sign. */
export const signed = (x: number, digits = 3) => {
  const v = Math.abs(x) < 1e-12 ? 0 : x; // float noise of a zero difference
  return (v < 0 ? '−' : v > 0 ? '+' : '') + fmtSig(Math.abs(v), digits);
};

/** An interval too narrow to tell from a point: the data lie exactly on the fitted line. */
export const isExact = (lo: number, hi: number, x: number) => hi - lo <= 1e-9 * Math.max(1, Math.abs(x));

/** "95% CI a to b". */
export const ci = (lo: number, hi: number, f: (x: number) => string = num) => `95% CI ${f(lo)} to ${f(hi)}`;

/** Whether [lo, hi] contains x (an interval of NaN contains nothing). */
export const covers = (lo: number, hi: number, x: number) => lo <= x && x <= hi;

/** The quantity a metric value is read as: accuracy in percentage points, loss as is. */
export interface MetricScale {
  /** 'test accuracy' | 'test loss' */
  name: string;
  /** Converts a metric value (or a difference) into the unit written. */
  toUnit: (x: number) => number;
  /** Unit suffix for differences: ' points' or ''. */
  diffUnit: string;
  /** A value as written: '94.6%' or '0.213'. */
  show: (x: number) => string;
  higherIsBetter: boolean;
  get: (s: RunSummary) => number;
}

export function metricScale(view: SweepView): MetricScale {
  if (view.task === 'classification') {
    return { name: 'test accuracy', toUnit: (x) => 100 * x, diffUnit: ' points', show: (x) => `${fmtSig(100 * x, 3)}%`, higherIsBetter: true, get: (s) => s.finalTestAcc };
  }
  return { name: 'test loss', toUnit: (x) => x, diffUnit: '', show: (x) => fmtSig(x, 3), higherIsBetter: false, get: (s) => s.finalTestLoss };
}

/** The extra-axis part of a run's panel (panel minus the scaling rule): '' for a plain sweep. */
export function familyOf(s: RunSummary): string {
  return Object.entries(s.axes).map(([k, v]) => `${k}=${v}`).join(' · ');
}

/** Families of a sweep in panel order, with their configuration groups. */
export function families(view: SweepView): { family: string; groups: ConfigGroup[] }[] {
  const out = new Map<string, ConfigGroup[]>();
  for (const g of view.groups) {
    const f = familyOf(g.runs[0]!.summary);
    if (!out.has(f)) out.set(f, []);
    out.get(f)!.push(g);
  }
  return [...out].map(([family, groups]) => ({ family, groups }));
}

/** " (model.norm=batch)" or '' : names a family in a sentence. */
export const inFamily = (family: string) => (family ? ` (${family})` : '');

/** The scaling rule of a configuration group. */
export const ruleOf = (g: ConfigGroup) => g.runs[0]!.summary.scalingRule;

/** Completed seeds of a group -> the metric value, finite only. */
export function bySeed(g: ConfigGroup, get: (s: RunSummary) => number): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of g.completed) {
    const v = get(r.summary);
    if (Number.isFinite(v)) m.set(r.summary.seed, v);
  }
  return m;
}

/** Differences a - b over the seeds both have (a paired design: same seed, same init and data order). */
export function pairedBySeed(a: Map<number, number>, b: Map<number, number>): number[] {
  return [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y).map((s) => a.get(s)! - b.get(s)!);
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Plain words for where linear (1), square-root (0.5) and constant (0) fall against the interval. */
export function describeExponent(slope: number, lo: number, hi: number): string {
  const lin = coversExponent(lo, hi, 1);
  const sqrt = coversExponent(lo, hi, 0.5);
  const closer = Math.abs(slope - 1) < Math.abs(slope - 0.5) ? 'linear' : 'square-root';
  let text: string;
  if (lin && sqrt) text = `both linear (1) and square-root (0.5) scaling lie in the interval, so these batch sizes do not tell them apart (the estimate is closer to ${closer})`;
  else if (sqrt) text = 'consistent with square-root scaling (0.5), not linear (1)';
  else if (lin) text = 'consistent with linear scaling (1), not square-root (0.5)';
  else text = `neither linear (1) nor square-root (0.5) lies in the interval; the estimate is closer to ${closer}`;
  if (coversExponent(lo, hi, 0)) text += '; a constant best LR (0) is not excluded either';
  return text;
}

/**
 * Whether [lo, hi] covers the exponent x, allowing for rounding: seeds with the same best LRs give
 * the same slope, an interval of zero width that floating point puts a hair beside 0.5 or 1.
 */
const coversExponent = (lo: number, hi: number, x: number) => covers(lo - 1e-9, hi + 1e-9, x);

/** describeExponent in a few words, for a headline. */
export function exponentVerdict(lo: number, hi: number): string {
  const [lin, sqrt] = [coversExponent(lo, hi, 1), coversExponent(lo, hi, 0.5)];
  if (lin && sqrt) return 'linear and square-root scaling both fit';
  if (sqrt) return 'square-root scaling fits, linear does not';
  if (lin) return 'linear scaling fits, square-root does not';
  return 'neither linear nor square-root scaling fits';
}

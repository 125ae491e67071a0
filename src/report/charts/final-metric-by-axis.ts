/**
 * Final test error against a numeric design axis other than the batch size, e.g. the number of
 * images BatchNorm's statistics come from (model.ghostBatchSize of a `bn` arm), one line per
 * series. A series without that axis (a GroupNorm or no-norm control arm, run once, not at each
 * value of the axis) is not a curve: it is one reference level, a dashed horizontal rule at its
 * mean labelled with its name, so the chart does not suggest it was measured across the axis. With
 * train.preciseBn, a second panel shows the error with recomputed BN statistics. Pure.
 */
import type { RunSummary } from '../../results/read-results.ts';
import type { SweepView } from '../sweep-view.ts';
import { meanOf } from '../sweep-view.ts';
import { facetedSpec, skip, type ChartPlan } from './chart-plan.ts';

const ID = 'final-metric-by-axis';
const TITLE = 'Final test error vs a swept setting';

/** The first design axis (not `arm`) with at least two distinct numeric values among the runs. */
export function numericAxis(view: SweepView): string | null {
  const runs = view.groups.flatMap((g) => g.runs.map((r) => r.summary));
  const columns = [...new Set(runs.flatMap((s) => Object.keys(s.axes)))].filter((c) => c !== 'arm');
  for (const column of columns) {
    const values = runs.map((s) => s.axes[column]).filter((v): v is string => v !== undefined && v !== '');
    if (values.length > 0 && values.every((v) => Number.isFinite(Number(v))) && new Set(values.map(Number)).size >= 2) return column;
  }
  return null;
}

/** A curve point (`x` set) or a control's reference level (`x` null: drawn across the panel). */
interface Point { kind: 'curve' | 'reference'; series: string; x: number | null; measure: string; mean: number; lo: number; hi: number; seeds: number; label: string }

export function planFinalMetricByAxis(view: SweepView): ChartPlan {
  if (view.task !== 'classification') return skip(ID, TITLE, 'not a classification sweep');
  const axis = numericAxis(view);
  if (axis === null) return skip(ID, TITLE, 'no design axis other than the batch size has two or more numeric values');
  const runs = view.groups.flatMap((g) => g.completed.map((r) => r.summary));
  const measures: { name: string; get: (s: RunSummary) => number }[] = [
    { name: 'test error, moving BN statistics', get: (s) => 1 - s.finalTestAcc },
  ];
  if (runs.some((s) => Number.isFinite(s.preciseBnTestAcc))) {
    measures.push({ name: 'test error, recomputed BN statistics', get: (s) => 1 - (Number.isFinite(s.preciseBnTestAcc) ? s.preciseBnTestAcc : s.finalTestAcc) });
  }
  const seriesOf = (s: RunSummary) => {
    const rest = Object.entries(s.axes).filter(([k, v]) => k !== axis && v !== '').map(([k, v]) => (k === 'arm' ? v : `${k}=${v}`));
    return [...(view.batchSizes.length > 1 ? [`B=${s.batchSize}`] : []), ...rest].join(' · ') || 'runs';
  };
  const withAxis = runs.filter((s) => (s.axes[axis] ?? '') !== '');
  const xs = [...new Set(withAxis.map((s) => Number(s.axes[axis])))].sort((a, b) => a - b);
  const points: Point[] = [];
  const cells = new Map<string, { series: string; x: number | null; runs: RunSummary[] }>();
  for (const s of runs) {
    const raw = s.axes[axis] ?? '';
    const x = raw === '' ? null : Number(raw);
    const key = `${seriesOf(s)}\u0000${x}`;
    if (!cells.has(key)) cells.set(key, { series: seriesOf(s), x, runs: [] });
    cells.get(key)!.runs.push(s);
  }
  for (const cell of cells.values()) {
    for (const m of measures) {
      const values = cell.runs.map(m.get).filter(Number.isFinite);
      if (values.length === 0) continue;
      const stat = { mean: meanOf(values), lo: Math.min(...values), hi: Math.max(...values), seeds: values.length };
      const kind = cell.x === null ? 'reference' : 'curve';
      const label = kind === 'reference' ? `${cell.series} (not run across ${axis}): ${stat.mean.toFixed(4)}` : '';
      points.push({ kind, series: cell.series, x: cell.x, measure: m.name, ...stat, label });
    }
  }
  const positive = xs.every((x) => x > 0);
  const x = {
    field: 'x', type: 'quantitative', title: axis,
    scale: positive ? { type: 'log', base: 2, domain: [xs[0] / 1.3, xs[xs.length - 1] * 1.3], nice: false } : { zero: false },
    axis: { values: xs, format: 'd' },
  };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'test error (1 − accuracy)', scale: { zero: false } });
  const only = (kind: Point['kind']) => [{ filter: `datum.kind === '${kind}'` }];
  const series = { field: 'series', type: 'nominal', title: 'series' };
  const spec = facetedSpec({
    values: points,
    facet: { field: 'measure', sort: measures.map((m) => m.name) },
    spec: {
      layer: [
        { transform: only('curve'), mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, color: series, y: y('lo'), y2: { field: 'hi' } } },
        {
          transform: only('curve'),
          mark: { type: 'line', point: { filled: true, size: 50 } },
          encoding: {
            x,
            color: series,
            y: y('mean'),
            tooltip: [
              { field: 'series', type: 'nominal' }, { field: 'x', type: 'quantitative', title: axis },
              { field: 'mean', type: 'quantitative', format: '.4f' }, { field: 'seeds', type: 'quantitative' },
            ],
          },
        },
        // A control's level: a dashed rule across the whole panel (no x) and its label above it.
        {
          transform: only('reference'),
          mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: {
            color: series,
            y: y('mean'),
            tooltip: [
              { field: 'series', type: 'nominal' }, { field: 'mean', type: 'quantitative', format: '.4f' },
              { field: 'lo', type: 'quantitative', title: 'min', format: '.4f' }, { field: 'hi', type: 'quantitative', title: 'max', format: '.4f' },
              { field: 'seeds', type: 'quantitative' },
            ],
          },
        },
        {
          transform: only('reference'),
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -2, fontSize: 10 },
          encoding: { x: { value: 0 }, y: y('mean'), text: { field: 'label' }, color: series },
        },
      ],
    },
  });
  const caption = `Completed runs: mean over seeds (points, lines) and min–max over seeds (bars) against ${axis}. `
    + 'Series without this setting (controls such as GroupNorm or no normalisation, run once rather than at each value) are '
    + 'one reference level each: a dashed rule at their mean, labelled, min–max in its tooltip.'
    + (measures.length > 1 ? ' Right: the same models evaluated with BatchNorm statistics recomputed over training examples (train.preciseBn).' : '');
  return { kind: 'chart', id: ID, title: TITLE, caption, variants: [{ name: '', label: '', spec }] };
}

/**
 * Final test error against a numeric design axis other than the batch size, e.g. the number of
 * images BatchNorm's statistics come from (model.ghostBatchSize of a `bn` arm), one line per
 * series. Series without that axis (a GroupNorm or no-norm control arm) are drawn as horizontal
 * lines at their mean across the axis, so the controls sit beside the curve. With
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

interface Point { series: string; x: number; measure: string; mean: number; lo: number; hi: number; seeds: number }

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
      // A control without the axis: the same value at both ends of the axis, drawn as a flat line.
      const at = cell.x === null ? [xs[0], xs[xs.length - 1]] : [cell.x];
      for (const x of at) points.push({ series: cell.series, x, measure: m.name, ...stat });
    }
  }
  const positive = xs.every((x) => x > 0);
  const x = {
    field: 'x', type: 'quantitative', title: axis,
    scale: positive ? { type: 'log', base: 2, domain: [xs[0] / 1.3, xs[xs.length - 1] * 1.3], nice: false } : { zero: false },
    axis: { values: xs, format: 'd' },
  };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'test error (1 − accuracy)', scale: { zero: false } });
  const spec = facetedSpec({
    values: points,
    facet: { field: 'measure', sort: measures.map((m) => m.name) },
    spec: {
      encoding: { x, color: { field: 'series', type: 'nominal', title: 'series' } },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: y('lo'), y2: { field: 'hi' } } },
        {
          mark: { type: 'line', point: { filled: true, size: 50 } },
          encoding: {
            y: y('mean'),
            tooltip: [
              { field: 'series', type: 'nominal' }, { field: 'x', type: 'quantitative', title: axis },
              { field: 'mean', type: 'quantitative', format: '.4f' }, { field: 'seeds', type: 'quantitative' },
            ],
          },
        },
      ],
    },
  });
  const caption = `Completed runs: mean over seeds (points, lines) and min–max over seeds (bars) against ${axis}. `
    + 'Series without this setting (controls such as GroupNorm or no normalisation) are drawn flat at their mean.'
    + (measures.length > 1 ? ' Right: the same models evaluated with BatchNorm statistics recomputed over training examples (train.preciseBn).' : '');
  return { kind: 'chart', id: ID, title: TITLE, caption, variants: [{ name: '', label: '', spec }] };
}

/** Final test error (or loss) vs batch size, one line per panel: e.g. BN vs GroupNorm over B. */
import type { TopLevelSpec } from 'vega-lite';
import type { SweepView } from '../sweep-view.ts';
import { meanOf } from '../sweep-view.ts';
import { CHART_CONFIG, batchAxis, skip, type ChartPlan } from './chart-plan.ts';

export function planFinalMetric(view: SweepView): ChartPlan {
  const id = 'final-metric';
  const title = 'Final test metric vs batch size';
  if (view.batchSizes.length < 2) return skip(id, title, 'only one batch size was swept');
  const measures = [
    ...(view.task === 'classification' ? [{ name: 'test error (1 − accuracy)', get: (s: { finalTestAcc: number }) => 1 - s.finalTestAcc }] : []),
    { name: 'test loss', get: (s: { finalTestLoss: number }) => s.finalTestLoss },
  ];
  const points = view.best.flatMap((g) =>
    measures.flatMap((m) => {
      const xs = g.completed.map((r) => m.get(r.summary)).filter(Number.isFinite);
      return xs.length ? [{ panel: g.panel, batch_size: g.batchSize, measure: m.name, mean: meanOf(xs), lo: Math.min(...xs), hi: Math.max(...xs) }] : [];
    }),
  );
  if (new Set(points.map((p) => p.batch_size)).size < 2) return skip(id, title, 'fewer than two batch sizes have a completed run');
  const lrNote = view.baseLrs.length > 1 ? " at each batch size's best base LR" : '';
  const caption = `Final evaluation (inference mode) of completed runs${lrNote}: mean over seeds (points, lines) and min–max over seeds (bars), one line per panel.`;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    data: { values: points },
    facet: { field: 'measure', type: 'nominal', title: null, sort: measures.map((m) => m.name) },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 300,
      height: 220,
      encoding: {
        x: batchAxis(view.batchSizes),
        color: { field: 'panel', type: 'nominal', title: 'panel', sort: view.panels },
      },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'value', scale: { zero: false } }, y2: { field: 'hi' } } },
        { mark: { type: 'line', point: { filled: true, size: 50 } }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'value', scale: { zero: false } } } },
      ],
    },
  } as unknown as TopLevelSpec;
  return { kind: 'chart', id, title, caption, variants: [{ name: '', label: '', spec }] };
}

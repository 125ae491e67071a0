/** Chart 3: generalisation gap (loss: test - train; accuracy: train - test) vs batch size, per rule. */
import type { TopLevelSpec } from 'vega-lite';
import type { SweepView } from '../sweep-view.ts';
import { meanOf } from '../sweep-view.ts';
import { CHART_CONFIG, batchAxis, skip, type ChartPlan } from './chart-plan.ts';

export function planGenGap(view: SweepView): ChartPlan {
  const id = 'gen-gap';
  const title = 'Generalisation gap vs batch size';
  if (view.batchSizes.length < 2) return skip(id, title, 'only one batch size was swept');
  const measures = [
    { name: 'loss gap (test − train)', get: (s: { genGapLoss: number }) => s.genGapLoss },
    ...(view.task === 'classification' ? [{ name: 'accuracy gap (train − test)', get: (s: { genGapAcc: number }) => s.genGapAcc }] : []),
  ];
  const points = view.best.flatMap((g) =>
    measures.flatMap((m) => {
      const xs = g.completed.map((r) => m.get(r.summary)).filter(Number.isFinite);
      return xs.length ? [{ panel: g.panel, batch_size: g.batchSize, measure: m.name, mean: meanOf(xs), lo: Math.min(...xs), hi: Math.max(...xs), seeds: xs.length }] : [];
    }),
  );
  if (new Set(points.map((p) => p.batch_size)).size < 2) return skip(id, title, 'fewer than two batch sizes have a completed run with a final gap');
  const lrNote = view.baseLrs.length > 1 ? ' at each batch size\'s best base LR' : '';
  const caption = `Final gap of completed runs${lrNote}: mean over seeds (points, lines) and min–max over seeds (bars). Positive = the model fits the training set better than the test set.`;
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
        color: { field: 'panel', type: 'nominal', title: 'scaling rule', sort: view.panels },
      },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'gap' }, y2: { field: 'hi' } } },
        { mark: { type: 'line', point: { filled: true, size: 50 } }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'gap' } } },
      ],
    },
  } as unknown as TopLevelSpec;
  return { kind: 'chart', id, title, caption, variants: [{ name: '', label: '', spec }] };
}

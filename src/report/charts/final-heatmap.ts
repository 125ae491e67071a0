/** Chart 2: final test metric over batch size x base LR, one heatmap per scaling rule. */
import type { SweepView } from '../sweep-view.ts';
import { finalMetric, groupScore } from '../sweep-view.ts';
import { TIP, configTip } from './tooltip.ts';
import { facetedSpec, panelFacet, skip, type ChartPlan } from './chart-plan.ts';
import { fmtSig } from '../../core/format-number.ts';

export function planFinalHeatmap(view: SweepView): ChartPlan {
  const id = 'final-heatmap';
  const title = `Final test ${view.task === 'classification' ? 'accuracy' : 'loss'} by batch size and learning rate`;
  // With one base LR the heatmap is a single row: still every configuration at a glance.
  if (!view.groups.length) return skip(id, title, 'the summary has no runs');
  const cells = view.groups.map((g) => {
    const score = groupScore(g, view.task);
    return {
      panel: g.panel,
      batch_size: g.batchSize,
      base_lr: g.baseLr,
      value: Number.isFinite(score) ? score : null,
      label: Number.isFinite(score) ? fmtSig(score, 3) + (g.diverged ? ` (${g.diverged} div.)` : '') : g.diverged ? 'diverged' : 'n/a',
      tip: configTip(g, view.task === 'classification' ? 'test acc' : 'test loss', (s) => finalMetric(s, view.task),
        `mean ${view.metricName} ${Number.isFinite(score) ? fmtSig(score) : '—'} over ${g.completed.length} completed of ${g.runs.length} runs`),
    };
  });
  const values = cells.map((c) => c.value).filter((v): v is number => v !== null);
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  // Dark viridis end is low values: white text there, black on the light end.
  const good = view.task === 'classification';
  const data = cells.map((c) => ({
    ...c,
    text_color: c.value === null ? 'black' : (c.value - lo) / (hi - lo || 1) < 0.5 === good ? 'white' : 'black',
  }));
  const caption =
    `Mean ${view.metricName} over completed seeds for every batch size and base LR (before scaling; the applied LR is base LR × the rule's factor). ` +
    'A cell where every seed diverged is grey and labelled “diverged”; “(k div.)” counts diverged seeds beside the completed ones.';
  const spec = facetedSpec({
    values: data,
    ...panelFacet(view.panels),
    spec: {
      width: Math.max(160, 70 * view.batchSizes.length),
      height: Math.max(120, 36 * view.baseLrs.length),
      encoding: {
        x: { field: 'batch_size', type: 'ordinal', title: 'batch size', sort: 'ascending', axis: { grid: false, labelAngle: 0 } },
        y: { field: 'base_lr', type: 'ordinal', title: 'base LR', sort: 'descending', axis: { grid: false } },
      },
      layer: [
        { mark: { type: 'rect', color: '#d0d0d0' }, transform: [{ filter: 'datum.value === null' }], encoding: { description: TIP } },
        {
          mark: 'rect',
          transform: [{ filter: 'datum.value !== null' }],
          encoding: {
            description: TIP,
            color: {
              field: 'value', type: 'quantitative', title: view.task === 'classification' ? 'test acc.' : 'test loss',
              scale: { scheme: 'viridis', reverse: !good },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: { description: TIP, text: { field: 'label' }, color: { condition: { test: "datum.text_color === 'white'", value: 'white' }, value: 'black' } },
        },
      ],
    },
  });
  return { kind: 'chart', id, title, caption, variants: [{ name: '', label: '', spec }] };
}

/** Chart 6: every LR tried per batch size (stable or diverged) and the largest stable one. */
import type { SweepView } from '../sweep-view.ts';
import { batchAxis, facetedSpec, panelFacet, skip, type ChartPlan } from './chart-plan.ts';
import { fmtSig } from '../../core/format-number.ts';
import { finalMetric } from '../sweep-view.ts';
import { TIP, configTip } from './tooltip.ts';

export function planStableLr(view: SweepView): ChartPlan {
  const id = 'stable-lr';
  const title = 'Largest stable learning rate vs batch size';
  if (view.baseLrs.length < 2) return skip(id, title, `only one base LR (${view.baseLrs.map((x) => fmtSig(x)).join('') || 'none'}) was swept, so there is no LR range to find the largest stable one in`);
  if (!view.groups.some((g) => g.diverged > 0)) {
    return skip(id, title, 'no run diverged, so the largest stable LR is only bounded below by the largest LR tried');
  }
  const tried = view.groups
    .filter((g) => g.runs.some((r) => r.summary.status === 'completed' || r.summary.status === 'diverged') && Number.isFinite(g.lr) && g.lr > 0)
    .map((g) => ({
      panel: g.panel, batch_size: g.batchSize, lr: g.lr, outcome: g.diverged > 0 ? 'diverged (≥1 seed)' : 'stable (all seeds)',
      tip: configTip(g, view.task === 'classification' ? 'test acc' : 'test loss', (s) => finalMetric(s, view.task), g.diverged > 0 ? `${g.diverged} of ${g.runs.length} seeds diverged` : 'stable: no seed diverged'),
    }));
  const largest = new Map<string, { panel: string; batch_size: number; lr: number; tip: string }>();
  for (const t of tried) {
    if (t.outcome.startsWith('diverged')) continue;
    const key = `${t.panel}\u0000${t.batch_size}`;
    const cur = largest.get(key);
    if (!cur || t.lr > cur.lr) largest.set(key, { panel: t.panel, batch_size: t.batch_size, lr: t.lr, tip: `${t.panel}: largest stable LR per batch size (here ${fmtSig(t.lr)} at batch size ${t.batch_size})` });
  }
  const data = [...tried.map((t) => ({ ...t, layer: 'tried' })), ...[...largest.values()].map((l) => ({ ...l, layer: 'largest' }))];
  const caption =
    'Applied (peak) LR after scaling, per batch size: green circles had no diverged seed, red crosses had at least one. ' +
    'The line joins the largest stable LR of each batch size; the true limit lies between it and the next LR that diverged.';
  const spec = facetedSpec({
    values: data,
    ...panelFacet(view.panels),
    spec: {
      width: 280,
      encoding: { x: batchAxis(view.batchSizes) },
      layer: [
        {
          transform: [{ filter: "datum.layer === 'largest'" }],
          mark: { type: 'line', color: '#333', strokeWidth: 1.5 },
          encoding: { description: TIP, y: { field: 'lr', type: 'quantitative', scale: { type: 'log' }, title: 'applied LR' } },
        },
        {
          transform: [{ filter: "datum.layer === 'tried'" }],
          mark: { type: 'point', size: 80, filled: true },
          encoding: {
            description: TIP,
            y: { field: 'lr', type: 'quantitative', scale: { type: 'log' }, title: 'applied LR' },
            color: { field: 'outcome', type: 'nominal', title: 'outcome', scale: { domain: ['stable (all seeds)', 'diverged (≥1 seed)'], range: ['#2a9d4b', '#d62728'] } },
            shape: { field: 'outcome', type: 'nominal', scale: { domain: ['stable (all seeds)', 'diverged (≥1 seed)'], range: ['circle', 'cross'] } },
          },
        },
      ],
    },
  });
  return { kind: 'chart', id, title, caption, variants: [{ name: '', label: '', spec }] };
}

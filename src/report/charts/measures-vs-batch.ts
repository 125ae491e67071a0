/**
 * The shape shared by the per-batch-size charts: one facet per measure, one line per panel, mean
 * over the completed seeds of each batch size's best configuration with a min-max bar.
 */
import type { RunSummary } from '../../results/read-results.ts';
import type { SweepView } from '../sweep-view.ts';
import { meanOf } from '../sweep-view.ts';
import { batchAxis, facetedSpec, panelColor, skip, type ChartPlan } from './chart-plan.ts';
import { fmtSig } from '../../core/format-number.ts';
import { TIP, configTip } from './tooltip.ts';

export interface Measure {
  name: string;
  get: (s: RunSummary) => number;
}

export interface MeasuresChart {
  id: string;
  title: string;
  measures: Measure[];
  /** Caption after the common sentence about which runs are shown. */
  caption: string;
  colorTitle: string;
  yTitle: string;
  /** Whether the y axis starts at zero. */
  zero: boolean;
}

export function planMeasuresVsBatch(view: SweepView, c: MeasuresChart): ChartPlan {
  if (view.batchSizes.length < 2) return skip(c.id, c.title, 'only one batch size was swept');
  const points = view.best.flatMap((g) =>
    c.measures.flatMap((m) => {
      const xs = g.completed.map((r) => m.get(r.summary)).filter(Number.isFinite);
      if (!xs.length) return [];
      const [mean, lo, hi] = [meanOf(xs), Math.min(...xs), Math.max(...xs)];
      const tip = configTip(g, m.name, m.get, `${m.name}: mean ${fmtSig(mean)} (min ${fmtSig(lo)}, max ${fmtSig(hi)}) over ${xs.length} seeds`);
      return [{ panel: g.panel, batch_size: g.batchSize, measure: m.name, mean, lo, hi, tip }];
    }),
  );
  if (new Set(points.map((p) => p.batch_size)).size < 2) return skip(c.id, c.title, 'fewer than two batch sizes have a completed run');
  const lrNote = view.baseLrs.length > 1 ? " at each batch size's best base LR" : '';
  const caption = `Completed runs${lrNote}: mean over seeds (points, lines) and min–max over seeds (bars). ${c.caption}`;
  const y = (field: string) => ({ field, type: 'quantitative', title: c.yTitle, scale: { zero: c.zero } });
  const spec = facetedSpec({
    values: points,
    facet: { field: 'measure', sort: c.measures.map((m) => m.name) },
    independentY: true,
    spec: {
      encoding: {
        x: batchAxis(view.batchSizes),
        color: panelColor(c.colorTitle, view.panels),
      },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: y('lo'), y2: { field: 'hi' }, description: TIP } },
        // The line has no tooltip of its own (one path per series); its points carry them.
        { mark: { type: 'line', aria: false }, encoding: { y: y('mean') } },
        { mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { y: y('mean'), description: TIP } },
      ],
    },
  });
  return { kind: 'chart', id: c.id, title: c.title, caption, variants: [{ name: '', label: '', spec }] };
}

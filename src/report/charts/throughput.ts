/** Chart 5: training throughput (samples/s) and wall-clock seconds per epoch vs batch size. */
import type { ResultsData } from '../../results/read-results.ts';
import type { SweepView } from '../sweep-view.ts';
import { meanOf } from '../sweep-view.ts';
import { batchAxis, facetedSpec, skip, type ChartPlan } from './chart-plan.ts';
import { fmtSig } from '../../core/format-number.ts';
import { TIP } from './tooltip.ts';

export function planThroughput(data: ResultsData, view: SweepView): ChartPlan {
  const id = 'throughput';
  const title = 'Throughput and epoch time vs batch size';
  if (view.batchSizes.length < 2) return skip(id, title, 'only one batch size was swept');
  // Throughput does not depend on the LR or rule: pool those; keep backend and model axes apart.
  const series = (r: ResultsData['runs'][number]) => [r.summary.backend || 'backend ?', ...Object.entries(r.summary.axes).map(([k, v]) => `${k}=${v}`)].join(' · ');
  const groups = new Map<string, { series: string; batch_size: number; sps: number[]; epochS: number[] }>();
  for (const r of data.runs) {
    const s = r.summary;
    if (s.status !== 'completed') continue;
    const key = `${series(r)}\u0000${s.batchSize}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { series: series(r), batch_size: s.batchSize, sps: [], epochS: [] }));
    if (Number.isFinite(s.samplesPerS) && s.samplesPerS > 0) g.sps.push(s.samplesPerS);
    if (Number.isFinite(s.wallS) && s.epochs > 0) g.epochS.push(s.wallS / s.epochs);
  }
  const measures = ['samples per second', 'seconds per epoch'];
  const points = [...groups.values()].flatMap((g) =>
    ([[measures[0]!, g.sps], [measures[1]!, g.epochS]] as const).flatMap(([measure, xs]) =>
      xs.length ? [{
        series: g.series, batch_size: g.batch_size, measure, mean: meanOf(xs), lo: Math.min(...xs), hi: Math.max(...xs),
        tip: `${g.series} · batch size ${g.batch_size}\n${measure}: mean ${fmtSig(meanOf(xs))} (min ${fmtSig(Math.min(...xs))}, max ${fmtSig(Math.max(...xs))}) over ${xs.length} completed runs (every LR, rule and seed)`,
      }] : [],
    ),
  );
  if (new Set(points.map((p) => p.batch_size)).size < 2) return skip(id, title, 'fewer than two batch sizes have a completed run with timings');
  const caption =
    'samples_per_s from summary.csv, and seconds per epoch = wall_s / epochs (wall clock, evaluation included), over all completed runs of a batch size ' +
    '(every LR, rule and seed): mean (points) and min–max (bars). Log–log axes.';
  const spec = facetedSpec({
    values: points,
    facet: { field: 'measure', sort: measures },
    independentY: true,
    spec: {
      encoding: { x: batchAxis(view.batchSizes), color: { field: 'series', type: 'nominal', title: 'backend' } },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { description: TIP, y: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: null }, y2: { field: 'hi' } } },
        { mark: { type: 'line', aria: false }, encoding: { y: { field: 'mean', type: 'quantitative', scale: { type: 'log' }, title: null } } },
        { mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { description: TIP, y: { field: 'mean', type: 'quantitative', scale: { type: 'log' }, title: null } } },
      ],
    },
  });
  return { kind: 'chart', id, title, caption, variants: [{ name: '', label: '', spec }] };
}

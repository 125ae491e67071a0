/**
 * Chart 1: train and test loss against training progress, one panel per scaling rule, one line
 * per batch size (its best base LR), mean over seeds with a min-max band. Three variants of the
 * x axis: optimizer steps (log scale: step counts differ by the batch-size ratio), epochs, examples.
 */
import type { CurvePoint, ResultsData } from '../../results/read-results.ts';
import type { SweepView } from '../sweep-view.ts';
import { facetedSpec, panelFacet, skip, type ChartPlan } from './chart-plan.ts';
import { fmtSig } from '../../core/format-number.ts';
import { TIP, runLines } from './tooltip.ts';

export const LOSS_X_AXES = [
  { name: 'steps', label: 'optimizer steps', field: 'step', log: true },
  { name: 'epochs', label: 'epochs', field: 'epoch', log: false },
  { name: 'examples', label: 'examples seen', field: 'examples', log: false },
] as const;

interface Point {
  panel: string;
  batch_size: number;
  split: string;
  step: number;
  epoch: number;
  examples: number;
  mean: number;
  lo: number;
  hi: number;
  seeds: number;
  /** The series' tooltip: configuration and runs (a line has one tooltip for all its points). */
  tip: string;
}

/** Points of the loss curves; `trainField` says which train loss column was plotted. */
export function summarizeLossCurves(data: ResultsData, view: SweepView): { points: Point[]; trainField: 'train_eval_loss' | 'train_loss' } {
  const useEval = data.runs.some((r) => r.curve.some((p) => Number.isFinite(p.trainEvalLoss)));
  const trainOf = (p: CurvePoint) => (useEval ? p.trainEvalLoss : p.trainLoss);
  const points: Point[] = [];
  for (const g of view.best) {
    for (const [split, get] of [['train', trainOf], ['test', (p: CurvePoint) => p.testLoss]] as const) {
      // Seeds of one configuration share the step schedule, so steps align across seeds.
      const bySteps = new Map<number, { p: CurvePoint; values: number[] }>();
      for (const run of g.runs) {
        for (const p of run.curve) {
          const v = get(p);
          if (!Number.isFinite(v) || v <= 0) continue;
          let e = bySteps.get(p.step);
          if (!e) bySteps.set(p.step, (e = { p, values: [] }));
          e.values.push(v);
        }
      }
      const tip = [
        `${g.panel} · batch size ${g.batchSize} · base LR ${fmtSig(g.baseLr)} · LR ${fmtSig(g.lr)} · ${split} loss`,
        ...runLines(g.runs, 'final test loss', (s) => s.finalTestLoss),
      ].join('\n');
      for (const [step, { p, values }] of [...bySteps].sort((a, b) => a[0] - b[0])) {
        points.push({
          panel: g.panel, batch_size: g.batchSize, split, step, epoch: p.epoch, examples: p.examplesSeen,
          mean: values.reduce((a, b) => a + b, 0) / values.length, lo: Math.min(...values), hi: Math.max(...values), seeds: values.length, tip,
        });
      }
    }
  }
  return { points, trainField: useEval ? 'train_eval_loss' : 'train_loss' };
}

export function planLossCurves(data: ResultsData, view: SweepView): ChartPlan {
  const id = 'loss-curves';
  const title = 'Loss curves';
  const { points, trainField } = summarizeLossCurves(data, view);
  if (!points.some((p) => p.split === 'test')) return skip(id, title, 'no curve.csv has a finite test_loss (no evaluation rows)');
  const lrNote = view.baseLrs.length > 1 ? ' at each batch size\'s best base LR (by mean ' + view.metricName + ')' : '';
  const caption =
    `Mean over seeds (line) with the min–max over seeds (band) of the train loss (${trainField}, dashed) and test loss (solid)${lrNote}. ` +
    'One panel per scaling rule. Switch the x axis between optimizer steps (log scale), epochs and examples seen. Log-scale loss; non-finite losses of diverged runs are left out.';
  const color = { field: 'batch_size', type: 'ordinal', title: 'batch size', scale: { scheme: 'viridis' }, sort: 'ascending',
    legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3 } };
  const variants = LOSS_X_AXES.map((ax) => ({
    name: ax.name,
    label: ax.label,
    spec: facetedSpec({
      // Step 0 (the initial evaluation) has no place on a log axis.
      values: ax.log ? points.filter((p) => p.step > 0) : points,
      ...panelFacet(view.panels),
      spec: {
        encoding: {
          x: { field: ax.field, type: 'quantitative', title: ax.label, scale: ax.log ? { type: 'log', nice: false } : { zero: true } },
        },
        layer: [
          {
            mark: { type: 'area', opacity: 0.18 },
            encoding: {
              y: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: 'loss' },
              y2: { field: 'hi' },
              detail: { field: 'split' },
              description: TIP,
              color,
            },
          },
          {
            mark: { type: 'line', strokeWidth: 1.8 },
            encoding: {
              y: { field: 'mean', type: 'quantitative', scale: { type: 'log' }, title: 'loss' },
              description: TIP,
              color,
              strokeDash: { field: 'split', type: 'nominal', title: 'split', sort: ['test', 'train'], scale: { domain: ['test', 'train'], range: [[1, 0], [5, 3]] } },
            },
          },
        ],
      },
    }),
  }));
  return { kind: 'chart', id, title, caption, variants };
}

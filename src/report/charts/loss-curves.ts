/**
 * Chart 1: the training loss at every step, smoothed as TensorBoard smooths it, beside the
 * evaluated losses (train subset, test and, with a validation split, validation) against training
 * progress; one panel per scaling rule, one colour per batch size (its best base LR), mean over
 * seeds with a min-max band. Three variants of the x axis: optimizer steps (log scale: step counts
 * differ by the batch-size ratio), epochs, examples.
 */
import type { CurvePoint, ResultsData, RunResult } from '../../results/read-results.ts';
import type { ConfigGroup, SweepView } from '../sweep-view.ts';
import { facetedSpec, panelFacet, skip, type ChartPlan } from './chart-plan.ts';
import { fmtSig } from '../../core/format-number.ts';
import { TIP, runLines } from './tooltip.ts';
import { SMOOTHING_EXAMPLES, smoothEma, smoothingWeightFor, thinForDrawing } from './smooth.ts';

export const LOSS_X_AXES = [
  { name: 'steps', label: 'optimizer steps', field: 'step', log: true },
  { name: 'epochs', label: 'epochs', field: 'epoch', log: false },
  { name: 'examples', label: 'examples seen', field: 'examples', log: false },
] as const;

/** Bins of thinForDrawing: a smoothed per-step line keeps at most 2 * DRAW_BINS + 2 points. */
export const DRAW_BINS = 40;

/** The series of the chart, in legend order. */
export const SERIES = {
  train: 'train, every step (smoothed)',
  trainRows: 'train, mean between rows',
  trainEval: 'train subset, evaluated',
  test: 'test, evaluated',
  validation: 'validation, evaluated',
} as const;

interface Point {
  panel: string;
  batch_size: number;
  series: string;
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

/** One run's values of a series: step, examples seen, epoch and the loss. */
interface RunSeries { step: number[]; examples: number[]; epoch: number[]; loss: number[] }

/** The epoch at `examples` examples seen, linear between the curve rows around it (the rows hold both). */
export function epochAt(curve: readonly CurvePoint[], examples: number): number {
  let i = 0;
  while (i < curve.length - 1 && curve[i + 1]!.examplesSeen < examples) i++;
  const a = curve[i];
  const b = curve[i + 1];
  if (!a) return NaN;
  if (!b || b.examplesSeen === a.examplesSeen) return a.epoch + (examples - a.examplesSeen) * (a.examplesSeen > 0 ? a.epoch / a.examplesSeen : 0);
  return a.epoch + ((examples - a.examplesSeen) / (b.examplesSeen - a.examplesSeen)) * (b.epoch - a.epoch);
}

/** The run's per-step losses smoothed (smoothingWeightFor its batch size), or, without step-losses.csv, curve.csv's mean between rows as it is. */
function trainSeries(run: RunResult): { series: string; values: RunSeries } {
  const steps = run.stepLosses ?? [];
  if (steps.length) {
    return {
      series: SERIES.train,
      values: {
        step: steps.map((p) => p.step),
        examples: steps.map((p) => p.examplesSeen),
        epoch: steps.map((p) => epochAt(run.curve, p.examplesSeen)),
        loss: smoothEma(steps.map((p) => p.trainLoss), smoothingWeightFor(run.summary.batchSize)),
      },
    };
  }
  const rows = run.curve.filter((p) => Number.isFinite(p.trainLoss));
  return { series: SERIES.trainRows, values: fromCurve(rows, (p) => p.trainLoss) };
}

function fromCurve(rows: readonly CurvePoint[], get: (p: CurvePoint) => number): RunSeries {
  return { step: rows.map((p) => p.step), examples: rows.map((p) => p.examplesSeen), epoch: rows.map((p) => p.epoch), loss: rows.map(get) };
}

/** Each run's evaluated series (rows with an evaluation only). */
function evaluatedSeries(run: RunResult): { series: string; values: RunSeries }[] {
  const out: { series: string; values: RunSeries }[] = [];
  for (const [series, get] of [
    [SERIES.trainEval, (p: CurvePoint) => p.trainEvalLoss],
    [SERIES.test, (p: CurvePoint) => p.testLoss],
    [SERIES.validation, (p: CurvePoint) => p.valLoss],
  ] as const) {
    const rows = run.curve.filter((p) => Number.isFinite(get(p)));
    if (rows.length) out.push({ series, values: fromCurve(rows, get) });
  }
  return out;
}

/**
 * Mean, min and max over seeds at each step of one series (seeds of one configuration share the
 * step schedule), finite positive values only (log axis; a diverged run's blow-up is left out),
 * thinned for drawing when `thin`.
 */
function seedBand(g: ConfigGroup, series: string, perRun: RunSeries[], tip: string, thin: boolean): Point[] {
  const bySteps = new Map<number, { i: number; run: RunSeries; values: number[] }>();
  for (const run of perRun) {
    run.loss.forEach((v, i) => {
      if (!Number.isFinite(v) || v <= 0) return;
      const step = run.step[i]!;
      let e = bySteps.get(step);
      if (!e) bySteps.set(step, (e = { i, run, values: [] }));
      e.values.push(v);
    });
  }
  const entries = [...bySteps].sort((a, b) => a[0] - b[0]);
  const kept = thin ? thinForDrawing(entries.map(([step]) => Math.max(step, 1)), DRAW_BINS).map((i) => entries[i]!) : entries;
  return kept.map(([step, { i, run, values }]) => ({
    panel: g.panel, batch_size: g.batchSize, series, step, epoch: run.epoch[i]!, examples: run.examples[i]!,
    mean: values.reduce((a, b) => a + b, 0) / values.length, lo: Math.min(...values), hi: Math.max(...values), seeds: values.length, tip,
  }));
}

/** Points of the loss curves (each configuration's per-step line thinned to at most 2 * DRAW_BINS + 2 points). */
export function summarizeLossCurves(data: ResultsData, view: SweepView): { points: Point[]; perStep: boolean } {
  const perStep = data.runs.some((r) => (r.stepLosses ?? []).length > 0);
  const points: Point[] = [];
  for (const g of view.best) {
    const tipOf = (series: string) => [
      `${g.panel} · batch size ${g.batchSize} · base LR ${fmtSig(g.baseLr)} · LR ${fmtSig(g.lr)} · ${series}`,
      ...runLines(g.runs, 'final test loss', (s) => s.finalTestLoss),
    ].join('\n');
    const bySeries = new Map<string, RunSeries[]>();
    for (const run of g.runs) {
      for (const { series, values } of [trainSeries(run), ...evaluatedSeries(run)]) {
        bySeries.set(series, [...(bySeries.get(series) ?? []), values]);
      }
    }
    for (const [series, perRun] of bySeries) points.push(...seedBand(g, series, perRun, tipOf(series), series === SERIES.train));
  }
  return { points, perStep };
}

export function planLossCurves(data: ResultsData, view: SweepView): ChartPlan {
  const id = 'loss-curves';
  const title = 'Loss curves';
  const { points, perStep } = summarizeLossCurves(data, view);
  if (!points.some((p) => p.series === SERIES.test)) return skip(id, title, 'no curve.csv has a finite test_loss (no evaluation rows)');
  const lrNote = view.baseLrs.length > 1 ? ' at each batch size\'s best base LR (by mean ' + view.metricName + ', ' + (view.selectOn === 'validation' ? 'on the validation split' : 'on the test split') + ')' : '';
  const trainText = perStep
    ? `the training loss of every step (step-losses.csv), smoothed as TensorBoard draws it: an exponential moving average, debiased at the start, ` +
      `with weight 1 − B/${SMOOTHING_EXAMPLES} at batch size B, so each line averages about ${SMOOTHING_EXAMPLES} examples (${view.batchSizes.map((b) => `${fmtSig(smoothingWeightFor(b), 3)} at B=${b}`).join(', ')}); ` +
      `each line drawn from at most ${2 * DRAW_BINS + 2} of its points (evenly spread in steps and in log steps), the smoothing done on every step first`
    : 'the training loss as curve.csv records it (the mean over the steps between rows; these runs have no step-losses.csv)';
  const caption =
    `Solid: ${trainText}. Dashed: the losses evaluated in inference mode (train subset, test, and validation where there is one). ` +
    `Mean over seeds (line) with the min–max over seeds (band)${lrNote}. ` +
    'One panel per scaling rule, one colour per batch size. Switch the x axis between optimizer steps (log scale), epochs and examples seen. Log-scale loss; non-finite losses of diverged runs are left out.';
  const color = { field: 'batch_size', type: 'ordinal', title: 'batch size', scale: { scheme: 'viridis' }, sort: 'ascending',
    legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3 } };
  const order = Object.values(SERIES).filter((s) => points.some((p) => p.series === s));
  const dashes = order.map((s) => (s === SERIES.train || s === SERIES.trainRows ? [1, 0] : s === SERIES.test ? [5, 3] : s === SERIES.trainEval ? [2, 2] : [8, 2, 2, 2]));
  const strokeDash = { field: 'series', type: 'nominal', title: 'loss', sort: order, scale: { domain: order, range: dashes }, legend: { symbolStrokeWidth: 2, symbolSize: 400 } };
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
            mark: { type: 'area', opacity: 0.15 },
            encoding: {
              y: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: 'loss' },
              y2: { field: 'hi' },
              detail: { field: 'series' },
              description: TIP,
              color,
            },
          },
          {
            mark: { type: 'line', strokeWidth: 1.6 },
            encoding: {
              y: { field: 'mean', type: 'quantitative', scale: { type: 'log' }, title: 'loss' },
              description: TIP,
              color,
              strokeDash,
            },
          },
        ],
      },
    }),
  }));
  return { kind: 'chart', id, title, caption, variants };
}

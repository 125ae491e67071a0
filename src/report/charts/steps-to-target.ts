/**
 * Chart 4: optimizer steps and examples needed to first reach a target test metric, vs batch
 * size, log-log, with the perfect-scaling reference (steps halve when the batch doubles; examples
 * stay constant) anchored at each rule's smallest batch size that reached the target.
 */
import type { CurvePoint } from '../../results/read-results.ts';
import type { ConfigGroup, SweepView, Task } from '../sweep-view.ts';
import { TIP, runLines } from './tooltip.ts';
import { describeSelection, meanOf, selectionScore } from '../sweep-view.ts';
import { batchAxis, facetedSpec, panelColor, skip, type ChartPlan } from './chart-plan.ts';
import { fmtSig } from '../../core/format-number.ts';
import { seedEstimateName, seedInterval } from '../seed-estimate.ts';
import { fitCriticalBatch, meanCi, quantile } from '../../core/stats/index.ts';
import type { Verdict } from '../../core/claims/types.ts';

/** Share of the reachable level used as the target: 95% of the accuracy, or 105% of the loss. */
export const TARGET_FRACTION = 0.95;

/**
 * The target: for accuracy, TARGET_FRACTION x the best mean final accuracy that every batch
 * size reached (the minimum over batch sizes of the best configuration at that size); for loss,
 * the worst such best loss divided by TARGET_FRACTION. Computed on the split that chooses
 * (`view.selectOn`: validation when the runs have one). NaN when no batch size has a completed run.
 */
export function planTarget(view: SweepView): number {
  const bestAt = view.batchSizes.map((b) => {
    const scores = view.groups.filter((g) => g.batchSize === b).map((g) => selectionScore(g, view)).filter(Number.isFinite);
    if (!scores.length) return NaN;
    return view.task === 'classification' ? Math.max(...scores) : Math.min(...scores);
  }).filter(Number.isFinite);
  if (!bestAt.length) return NaN;
  return view.task === 'classification' ? TARGET_FRACTION * Math.min(...bestAt) : Math.max(...bestAt) / TARGET_FRACTION;
}

/** First evaluation point whose test metric (or, with `on` 'validation', validation metric) meets the target, or undefined. */
export function firstReach(curve: CurvePoint[], target: number, task: Task, on: SweepView['selectOn'] = 'test'): CurvePoint | undefined {
  const acc = (p: CurvePoint) => (on === 'validation' ? p.valAcc : p.testAcc);
  const loss = (p: CurvePoint) => (on === 'validation' ? p.valLoss : p.testLoss);
  return curve.find((p) => (task === 'classification' ? acc(p) >= target : Number.isFinite(loss(p)) && loss(p) <= target));
}

/** Per rule and batch size, the fewest mean steps (and examples) to the target; with the critical-batch fits. */
export interface StepsToTarget {
  target: number;
  reached: { panel: string; batch_size: number; steps: number; examples: number; seeds: number; group: ConfigGroup }[];
  /** 'panel @ B' of configurations that never reached the target. */
  missed: string[];
  /** Panels with two or more batch sizes reaching the target. */
  panelsOk: string[];
  /** S = S_min (1 + B_noise / B) fits, for panels with three or more batch sizes reaching the target. */
  fits: { panel: string; sMin: number; bNoise: number; r2: number; n: number }[];
}

/**
 * The numbers behind the steps-to-target chart and finding. The base LR kept per rule and batch
 * size is the one that reached the target in the fewest mean steps on the choosing split
 * (`view.selectOn`); the steps reported are its steps on the test split. Pure.
 */
export function summarizeStepsToTarget(view: SweepView): StepsToTarget {
  const target = planTarget(view);
  const task = view.task;
  const reached: StepsToTarget['reached'] = [];
  const missed: string[] = [];
  if (!Number.isFinite(target)) return { target, reached, missed, panelsOk: [], fits: [] };
  for (const panel of view.panels) {
    for (const b of view.batchSizes) {
      let best: { chooseSteps: number; group: ConfigGroup } | undefined;
      for (const g of view.groups) {
        if (g.panel !== panel || g.batchSize !== b || g.completed.length === 0) continue;
        const hits = g.completed.map((r) => firstReach(r.curve, target, task, view.selectOn));
        // A configuration counts only when every completed seed reached the target.
        if (hits.some((h) => !h)) continue;
        const chooseSteps = meanOf(hits.map((h) => h!.step));
        if (!best || chooseSteps < best.chooseSteps) best = { chooseSteps, group: g };
      }
      const testHits = best?.group.completed.map((r) => firstReach(r.curve, target, task));
      if (best && testHits && testHits.every((h) => h)) {
        reached.push({
          panel, batch_size: b, steps: meanOf(testHits.map((h) => h!.step)), examples: meanOf(testHits.map((h) => h!.examplesSeen)),
          seeds: testHits.length, group: best.group,
        });
      }
      else if (view.groups.some((g) => g.panel === panel && g.batchSize === b)) missed.push(`${panel} @ ${b}`);
    }
  }
  const panelsOk = view.panels.filter((p) => reached.filter((r) => r.panel === p).length >= 2);
  const fits: StepsToTarget['fits'] = [];
  for (const panel of panelsOk) {
    const rs = reached.filter((r) => r.panel === panel);
    if (rs.length < 3) continue;
    const fit = fitCriticalBatch(rs.map((r) => r.batch_size), rs.map((r) => r.steps));
    if (fit.sMin > 0 && Number.isFinite(fit.bNoise)) fits.push({ panel, ...fit, n: rs.length });
  }
  return { target, reached, missed, panelsOk, fits };
}

/** What a critical-batch claim's verdict says, as the chart draws it (from verdicts.json; see claimStepsView). */
export interface ClaimSteps {
  claimId: string;
  metric: string;
  /** Per batch size: mean steps over seeds at the claim's chosen LR. */
  points: { batchSize: number; steps: number; lr?: string }[];
  bNoise: number;
  lo: number;
  hi: number;
  level: number;
  /** The verdict's interval kind: 'sign' when the estimate is the median of the seeds' fits. */
  interval: string;
  n: number;
  sMin: number;
  /** How the LR was chosen, in words (the claim's tunedOn), or '' without tuning. */
  chosen: string;
  /** Batch sizes swept but not in the fit: no tuned value had a finite mean (the target not reached in every seed). */
  leftOut: number[];
}

/** The critical-batch verdict of a sweep's saved verdicts, in the chart's terms; undefined when there is none. */
export function claimStepsView(verdicts: readonly Verdict[]): ClaimSteps | undefined {
  const v = verdicts.find((x) => x.kind === 'critical-batch');
  if (!v) return undefined;
  const d = v.details as { points?: { x: number; y: number; tuned?: string }[]; xValues?: number[]; sMin?: number; tunedOn?: { split: string; metric: string } };
  const points = (d.points ?? []).map((p) => ({ batchSize: p.x, steps: p.y, ...(p.tuned !== undefined ? { lr: p.tuned } : {}) }));
  const leftOut = (d.xValues ?? []).filter((x) => !points.some((p) => p.batchSize === x));
  const chosen = d.tunedOn ? `LR per batch size chosen by mean ${d.tunedOn.metric} (${d.tunedOn.split === 'validation' ? 'on the validation split' : d.tunedOn.split === 'test' ? 'on the test split: the verdict is held back for it' : 'no test data read'})` : '';
  return { claimId: v.claimId, metric: v.metric, points, bNoise: v.estimate, lo: v.lo, hi: v.hi, level: v.level, interval: v.interval, n: v.n, sMin: d.sMin ?? NaN, chosen, leftOut };
}

/**
 * The chart beside a critical-batch claim draws what the claim computed (its target, its LR
 * choice, its B_noise with the interval over seeds): one code path, the claim evaluator's.
 */
function planClaimSteps(view: SweepView, c: ClaimSteps): ChartPlan {
  const id = 'steps-to-target';
  const title = `Steps to the target of claim ${c.claimId}`;
  if (c.points.length < 2) return skip(id, title, `claim ${c.claimId} has fewer than two batch sizes reaching its target`);
  const values: { batch_size: number; value: number; kind: string; label?: string; tip?: string }[] = [];
  for (const p of c.points) {
    values.push({ batch_size: p.batchSize, value: p.steps, kind: 'measured', tip: `batch size ${p.batchSize}${p.lr ? ` · LR ${p.lr}` : ''}\nmean steps to ${c.metric}: ${fmtSig(p.steps)}` });
  }
  if (Number.isFinite(c.sMin) && Number.isFinite(c.bNoise)) {
    for (const b of view.batchSizes) values.push({ batch_size: b, value: c.sMin * (1 + c.bNoise / b), kind: 'critical-batch fit' });
  }
  const Y = { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: null };
  const spec = facetedSpec({
    values: values.map((v) => ({ ...v, measure: 'optimizer steps' })),
    facet: { field: 'measure', sort: ['optimizer steps'] },
    spec: {
      encoding: { x: batchAxis(view.batchSizes) },
      layer: [
        { transform: [{ filter: "datum.kind === 'critical-batch fit'" }], mark: { type: 'line', strokeDash: [1, 3], strokeWidth: 2 }, encoding: { y: Y } },
        { transform: [{ filter: "datum.kind === 'measured'" }], mark: { type: 'line', aria: false }, encoding: { y: Y } },
        { transform: [{ filter: "datum.kind === 'measured'" }], mark: { type: 'point', filled: true, size: 45, opacity: 1 }, encoding: { y: Y, description: TIP } },
      ],
    },
  });
  const interval = seedInterval(c, fmtSig);
  const noise = summarizeNoiseScale(view);
  const caption = `As claim ${c.claimId} computes it: mean steps over seeds to ${c.metric}${c.chosen ? `, ${c.chosen}` : ''}. ` +
    `Dotted: S = S_min (1 + B_noise / B) with the pooled S_min ${fmtSig(c.sMin)}; B_noise ${fmtSig(c.bNoise)} (${interval}; ${seedEstimateName(c, 'fit')}), the number in the claim's verdict.` +
    (c.leftOut.length ? ` ${describeLeftOut(c)}` : '') +
    (noise ? ` ${describeNoiseScale(noise)}` : '');
  return { kind: 'chart', id, title, caption, variants: [{ name: '', label: '', spec }] };
}

export function planStepsToTarget(view: SweepView, claim?: ClaimSteps): ChartPlan {
  if (claim) return planClaimSteps(view, claim);
  const id = 'steps-to-target';
  const title = 'Steps and examples to reach a target test metric';
  if (view.batchSizes.length < 2) return skip(id, title, 'only one batch size was swept');
  const { target, reached, missed, panelsOk, fits: fitted } = summarizeStepsToTarget(view);
  if (!Number.isFinite(target)) return skip(id, title, 'no completed run has a final test metric to set a target from');
  const task = view.task;
  const metric = task === 'classification' ? 'test accuracy' : 'test loss';
  if (!panelsOk.length) return skip(id, title, `no scaling rule has two or more batch sizes reaching the target ${metric} ${fmtSig(target)}`);
  const points: { panel: string; batch_size: number; measure: string; value: number | null; kind: string; label?: string; tip?: string }[] = [];
  const [lowB, highB] = [Math.min(...view.batchSizes) / 1.3, Math.max(...view.batchSizes) * 1.3];
  /** A vertical marker at batch size `b` in both facets, when it falls inside the axis. */
  const markAt = (b: number, label: string, panel: string) => {
    if (!(b >= lowB && b <= highB)) return;
    for (const measure of ['optimizer steps', 'examples seen']) points.push({ panel, batch_size: b, measure, value: null, kind: 'marker', label });
  };
  for (const panel of panelsOk) {
    const rs = reached.filter((r) => r.panel === panel).sort((a, b) => a.batch_size - b.batch_size);
    const anchor = rs[0]!;
    for (const r of rs) {
      const tip = (measure: string, v: number) => [
        `${panel} · batch size ${r.batch_size} · base LR ${fmtSig(r.group.baseLr)} · LR ${fmtSig(r.group.lr)}`,
        `${measure} to the target: mean ${fmtSig(v)} over ${r.seeds} seeds`,
        ...runLines(r.group.runs, 'final test metric', (s) => (task === 'classification' ? s.finalTestAcc : s.finalTestLoss)),
      ].join('\n');
      points.push({ panel, batch_size: r.batch_size, measure: 'optimizer steps', value: r.steps, kind: 'measured', tip: tip('optimizer steps', r.steps) });
      points.push({ panel, batch_size: r.batch_size, measure: 'examples seen', value: r.examples, kind: 'measured', tip: tip('examples seen', r.examples) });
    }
    for (const b of view.batchSizes.filter((b) => b >= anchor.batch_size)) {
      points.push({ panel, batch_size: b, measure: 'optimizer steps', value: (anchor.steps * anchor.batch_size) / b, kind: 'perfect scaling' });
      points.push({ panel, batch_size: b, measure: 'examples seen', value: anchor.examples, kind: 'perfect scaling' });
    }
  }
  // Critical batch size (McCandlish et al.): S = S_min (1 + B_noise / B) fitted to the measured
  // steps, drawn dotted, with B_noise and the measured gradient noise scale named in the caption.
  const fits: string[] = [];
  for (const fit of fitted) {
    const panel = fit.panel;
    for (const b of view.batchSizes) {
      const steps = fit.sMin * (1 + fit.bNoise / b);
      points.push({ panel, batch_size: b, measure: 'optimizer steps', value: steps, kind: 'critical-batch fit' });
      points.push({ panel, batch_size: b, measure: 'examples seen', value: steps * b, kind: 'critical-batch fit' });
    }
    fits.push(`${panel}: B_noise ${fmtSig(fit.bNoise)}, S_min ${fmtSig(fit.sMin)} (r² ${fmtSig(fit.r2)})`);
    markAt(fit.bNoise, `B_noise ${fmtSig(fit.bNoise)}`, panel);
  }
  const noise = summarizeNoiseScale(view);
  if (noise) markAt(noise.mean, `B_simple ${fmtSig(noise.mean)}`, '');
  const noiseText = noise ? ` ${describeNoiseScale(noise)}` : '';
  const fitText = fits.length
    ? ` Dotted: S = S_min (1 + B_noise / B) fitted to the measured steps, i.e. the critical batch size B_noise; ${fits.join('; ')}.${noiseText}`
    : noiseText;
  const split = view.selectOn === 'validation' ? 'validation' : 'test';
  const targetText = task === 'classification'
    ? `${fmtSig(target)} = ${TARGET_FRACTION} × the best mean final ${split} accuracy reached at every batch size`
    : `${fmtSig(target)} = the worst of the per-batch-size best mean final ${split} losses ÷ ${TARGET_FRACTION}`;
  const caption =
    `Target ${metric}: ${targetText}. For each batch size, the first evaluation at which the ${metric} met the target, ` +
    `mean over seeds (a configuration counts only if all its completed seeds got there), at the base LR that got there in the fewest steps (${describeSelection(view)}). ` +
    'Dashed: perfect scaling from the smallest batch size (steps ∝ 1/batch size, examples constant).' +
    fitText +
    (missed.length ? ` Never reached: ${missed.join(', ')}.` : '');
  const Y = { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: null };
  const spec = facetedSpec({
    values: points,
    facet: { field: 'measure', sort: ['optimizer steps', 'examples seen'] },
    independentY: true,
    spec: {
      encoding: {
        x: batchAxis(view.batchSizes),
        color: panelColor('scaling rule', view.panels),
      },
      layer: [
        // Vertical markers: the fitted critical batch size and the measured gradient noise scale.
        ...(points.some((p) => p.kind === 'marker') ? [
          { transform: [{ filter: "datum.kind === 'marker'" }], mark: { type: 'rule', strokeDash: [2, 2], strokeWidth: 1 }, encoding: { color: { value: '#777' } } },
          { transform: [{ filter: "datum.kind === 'marker'" }], mark: { type: 'text', angle: 270, align: 'right', baseline: 'bottom', dy: -2, fontSize: 10 }, encoding: { text: { field: 'label' }, y: { value: 4 }, color: { value: '#555' } } },
        ] : []),
        { transform: [{ filter: "datum.kind === 'perfect scaling'" }], mark: { type: 'line', strokeDash: [5, 4], strokeWidth: 1.5 }, encoding: { y: Y } },
        ...(fits.length ? [{ transform: [{ filter: "datum.kind === 'critical-batch fit'" }], mark: { type: 'line', strokeDash: [1, 3], strokeWidth: 2 }, encoding: { y: Y } }] : []),
        { transform: [{ filter: "datum.kind === 'measured'" }], mark: { type: 'line', aria: false }, encoding: { y: Y } },
        { transform: [{ filter: "datum.kind === 'measured'" }], mark: { type: 'point', filled: true, size: 45, opacity: 1 }, encoding: { y: Y, description: TIP } },
      ],
    },
  });
  return { kind: 'chart', id, title, caption, variants: [{ name: '', label: '', spec }] };
}

/** The batch sizes a critical-batch claim could not fit, in a sentence. */
export function describeLeftOut(c: ClaimSteps): string {
  return `Not in the fit: ${c.leftOut.map((b) => `B=${b}`).join(', ')}, where no LR had every seed reach the target${c.chosen.includes('validation') ? ' on the validation split' : ''}.`;
}

/** B_simple in a sentence: the mean over seeds with its interval, and how many measurements went in. */
export function describeNoiseScale(noise: NonNullable<ReturnType<typeof summarizeNoiseScale>>): string {
  const interval = Number.isFinite(noise.lo) ? ` (95% CI ${fmtSig(noise.lo)} to ${fmtSig(noise.hi)})` : ' (no interval: one seed)';
  return `Gradient noise scale B_simple measured during training (train.noiseScale): each seed's median over its runs' measurements, then the mean over ${noise.seeds} seeds, ${fmtSig(noise.mean)}${interval}; ${noise.measurements} measurements in all, which are not independent (one seed's runs share weights and data order).`;
}

/**
 * B_simple with the seed as the unit: each seed's median of the noise-scale measurements of its
 * completed runs, then the mean over seeds with its 95% t interval. Undefined without any.
 */
export function summarizeNoiseScale(view: SweepView): { mean: number; lo: number; hi: number; seeds: number; measurements: number } | undefined {
  const bySeed = new Map<number, number[]>();
  for (const g of view.groups) {
    for (const r of g.completed) {
      const xs = r.curve.map((p) => p.noiseScale).filter(Number.isFinite);
      if (xs.length) bySeed.set(r.summary.seed, [...(bySeed.get(r.summary.seed) ?? []), ...xs]);
    }
  }
  if (bySeed.size === 0) return undefined;
  const medians = [...bySeed.values()].map((xs) => quantile(xs, 0.5));
  const measurements = [...bySeed.values()].reduce((a, xs) => a + xs.length, 0);
  if (medians.length < 2) return { mean: medians[0]!, lo: NaN, hi: NaN, seeds: 1, measurements };
  const ci = meanCi(medians, 0.95);
  return { mean: ci.mean, lo: ci.lo, hi: ci.hi, seeds: medians.length, measurements };
}

/**
 * The loss-curves chart's numbers: every step's loss smoothed per run (TensorBoard's debiased EMA at
 * the batch size's weight), averaged over seeds, thinned for drawing; the evaluated losses beside
 * them; curve.csv's row means where a run has no step-losses.csv. Pure.
 */
import { describe, expect, it } from 'vitest';
import type { CurvePoint, ResultsData, RunResult, RunSummary, StepLossPoint } from '../../results/read-results.ts';
import { viewSweep } from '../sweep-view.ts';
import { DRAW_BINS, SERIES, epochAt, planLossCurves, summarizeLossCurves } from './loss-curves.ts';
import { smoothEma, smoothingWeightFor } from './smooth.ts';

const EVALUATED = { trainEvalLoss: 1, trainEvalAcc: 0.5, testLoss: 1.2, testAcc: 0.5, valLoss: NaN, valAcc: NaN };
const NOT_EVALUATED = { trainEvalLoss: NaN, trainEvalAcc: NaN, testLoss: NaN, testAcc: NaN, valLoss: NaN, valAcc: NaN };

/** A run of `steps` steps at batch size `b` over 100 examples an epoch, rows every 10 steps, evaluated at 0 and the end. */
function run(b: number, seed: number, steps: number, lossAt: (step: number) => number, withStepLosses = true): RunResult {
  const summary = { runId: `r${b}-${seed}`, status: 'completed', batchSize: b, baseLr: 0.1, lr: 0.1, scalingRule: 'none', seed, finalTestAcc: 0.5, finalValAcc: NaN, valSize: 0, axes: {} } as unknown as RunSummary;
  const curve: CurvePoint[] = [];
  for (let s = 0; s <= steps; s += 10) {
    curve.push({ step: s, epoch: (s * b) / 100, examplesSeen: s * b, batchSize: b, lr: 0.1, trainLoss: s ? lossAt(s) : NaN, wallMs: 0, noiseScale: NaN,
      ...(s === 0 || s === steps ? EVALUATED : NOT_EVALUATED) });
  }
  const stepLosses: StepLossPoint[] = Array.from({ length: steps }, (_, i) => ({ step: i + 1, examplesSeen: (i + 1) * b, trainLoss: lossAt(i + 1) }));
  return { summary, curve, ...(withStepLosses ? { stepLosses } : {}) };
}
const data = (runs: RunResult[]): ResultsData => ({ dir: 'x', sweep: { name: 'x', spec: {}, environment: {}, axes: [] }, runs });
const noisy = (seed: number) => (step: number) => 2 / Math.sqrt(step) + 0.3 * (((step * 7919 + seed * 104729) % 17) / 17);

describe('summarizeLossCurves', () => {
  it('smooths each run at its batch size\'s weight, then takes the mean, min and max over seeds', () => {
    const runs = [run(16, 1, 60, noisy(1)), run(16, 2, 60, noisy(2))];
    const { points, perStep } = summarizeLossCurves(data(runs), viewSweep(data(runs)));
    expect(perStep).toBe(true);
    const train = points.filter((p) => p.series === SERIES.train);
    expect(train.map((p) => p.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1)); // 60 steps: none thinned
    const w = smoothingWeightFor(16);
    const [a, b] = [1, 2].map((seed) => smoothEma(Array.from({ length: 60 }, (_, i) => noisy(seed)(i + 1)), w));
    train.forEach((p, i) => {
      expect(p.mean).toBeCloseTo((a![i]! + b![i]!) / 2, 12);
      expect([p.lo, p.hi]).toEqual([Math.min(a![i]!, b![i]!), Math.max(a![i]!, b![i]!)]);
      expect(p.seeds).toBe(2);
      expect(p.examples).toBe(16 * p.step);
      expect(p.epoch).toBeCloseTo((16 * p.step) / 100, 12);
    });
    // The evaluated losses beside them, at the evaluated rows only.
    expect(points.filter((p) => p.series === SERIES.test).map((p) => [p.step, p.mean])).toEqual([[0, 1.2], [60, 1.2]]);
    expect(points.filter((p) => p.series === SERIES.trainEval).map((p) => p.step)).toEqual([0, 60]);
    expect(points.some((p) => p.series === SERIES.validation)).toBe(false);
  });

  it(`thins a long run's line to at most ${2 * DRAW_BINS + 2} points after smoothing every step`, () => {
    const runs = [run(16, 1, 2000, noisy(1))];
    const train = summarizeLossCurves(data(runs), viewSweep(data(runs))).points.filter((p) => p.series === SERIES.train);
    expect(train.length).toBeLessThanOrEqual(2 * DRAW_BINS + 2);
    expect(train[0]!.step).toBe(1);
    expect(train.at(-1)!.step).toBe(2000);
    const smoothed = smoothEma(Array.from({ length: 2000 }, (_, i) => noisy(1)(i + 1)), smoothingWeightFor(16));
    for (const p of train) expect(p.mean).toBe(smoothed[p.step - 1]);
  });

  it('leaves out non-finite losses of a diverged run', () => {
    const runs = [run(16, 1, 30, (s) => (s > 20 ? Infinity : 1))];
    const train = summarizeLossCurves(data(runs), viewSweep(data(runs))).points.filter((p) => p.series === SERIES.train);
    expect(train.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("draws curve.csv's row means, unsmoothed, for runs without step-losses.csv, and says so", () => {
    const runs = [run(16, 1, 30, () => 0.5, false)];
    const view = viewSweep(data(runs));
    const { points, perStep } = summarizeLossCurves(data(runs), view);
    expect(perStep).toBe(false);
    expect(points.filter((p) => p.series === SERIES.trainRows).map((p) => p.step)).toEqual([10, 20, 30]);
    const plan = planLossCurves(data(runs), view);
    if (plan.kind !== 'chart') throw new Error('skipped');
    expect(plan.caption).toContain('these runs have no step-losses.csv');
  });

  it('states the smoothing weight of each batch size and the thinning in the caption', () => {
    const runs = [run(16, 1, 30, noisy(1)), run(256, 1, 30, noisy(1))];
    const plan = planLossCurves(data(runs), viewSweep(data(runs)));
    if (plan.kind !== 'chart') throw new Error('skipped');
    expect(plan.caption).toContain('0.969 at B=16, 0.5 at B=256');
    expect(plan.caption).toContain(`at most ${2 * DRAW_BINS + 2} of its points`);
    expect(plan.variants.map((v) => v.name)).toEqual(['steps', 'epochs', 'examples']);
  });
});

describe('epochAt', () => {
  const curve = [0, 50, 100, 150].map((e) => ({ examplesSeen: e, epoch: e / 100 }) as CurvePoint);
  it.each([[0, 0], [25, 0.25], [120, 1.2], [150, 1.5], [170, 1.7]])('%i examples: epoch %f', (examples, epoch) => {
    expect(epochAt(curve, examples)).toBeCloseTo(epoch, 12);
  });
});

import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../core/claims/types.ts';
import type { ResultsData, RunResult, RunSummary } from '../../results/read-results.ts';
import { viewSweep } from '../sweep-view.ts';
import { findStepsToTarget } from '../findings/steps-to-target.ts';
import { claimStepsView, planStepsToTarget, summarizeNoiseScale } from './steps-to-target.ts';

const verdict = {
  claimId: 'C4', kind: 'critical-batch', metric: 'steps_to_target(test_acc >= 0.9)', estimate: 108, lo: 58.8, hi: 158, level: 0.95, interval: 't', n: 10,
  details: { points: [{ x: 16, y: 900, tuned: '0.1' }, { x: 64, y: 400, tuned: '0.2' }, { x: 256, y: 250, tuned: '0.4' }], sMin: 180, tunedOn: { split: 'validation', metric: 'steps_to_target(val_acc >= 0.9)' } },
} as unknown as Verdict;

function run(batchSize: number, seed: number, noise: number[]): RunResult {
  const summary = { runId: `r${batchSize}-${seed}`, status: 'completed', batchSize, baseLr: 0.1, lr: 0.1, scalingRule: 'none', seed, finalTestAcc: 0.9, finalValAcc: NaN, valSize: 0, axes: {} } as unknown as RunSummary;
  return { summary, curve: noise.map((n, i) => ({ step: i, noiseScale: n } as unknown as RunResult['curve'][number])) };
}
const data = (runs: RunResult[]): ResultsData => ({ dir: 'x', sweep: { name: 'x', spec: {}, environment: {}, axes: [] }, runs });

describe('the steps-to-target chart beside a critical-batch claim', () => {
  it("draws the claim's points, fit and B_noise with its interval, and the finding states the same numbers", () => {
    const view = viewSweep(data([run(16, 1, []), run(64, 1, []), run(256, 1, [])]));
    const c = claimStepsView([verdict])!;
    expect(c).toMatchObject({ claimId: 'C4', bNoise: 108, lo: 58.8, hi: 158, sMin: 180 });
    const plan = planStepsToTarget(view, c);
    if (plan.kind !== 'chart') throw new Error('skipped');
    expect(plan.caption).toContain("B_noise 108 (95% CI 58.8 to 158 over 10 seeds; the mean of each seed's own fit)");
    expect(plan.caption).toContain('LR per batch size chosen by mean steps_to_target(val_acc >= 0.9) (on the validation split)');
    const values = (plan.variants[0]!.spec as unknown as { data: { values: { kind: string; batch_size: number; value: number }[] } }).data.values;
    expect(values.filter((v) => v.kind === 'measured').map((v) => v.value)).toEqual([900, 400, 250]);
    expect(values.find((v) => v.kind === 'critical-batch fit' && v.batch_size === 16)!.value).toBeCloseTo(180 * (1 + 108 / 16), 10);
    const f = findStepsToTarget(view, c).findings[0]!;
    expect(f.text).toContain("B_noise 108 (the mean of each seed's own fit, 95% CI 58.8 to 158 over 10 seeds)");
    // B=1024 was swept but has no point: the chart and the finding say it is not in the fit.
    const left = claimStepsView([{ ...verdict, details: { ...verdict.details, xValues: [16, 64, 256, 1024] } } as Verdict])!;
    expect(left.leftOut).toEqual([1024]);
    const leftPlan = planStepsToTarget(view, left);
    if (leftPlan.kind !== 'chart') throw new Error('skipped');
    const said = 'Not in the fit: B=1024, where no LR had every seed reach the target on the validation split.';
    expect(leftPlan.caption).toContain(said);
    expect(findStepsToTarget(view, left).findings[0]!.details).toContain(said);
    expect(c.leftOut).toEqual([]);
  });

  it('a verdict that is the median of skewed per-seed fits is named so, with its order-statistic interval, in the chart and the finding', () => {
    const view = viewSweep(data([run(16, 1, []), run(64, 1, []), run(256, 1, [])]));
    const c = claimStepsView([{ ...verdict, estimate: 98.9, lo: 65.9, hi: 144, interval: 'sign' } as Verdict])!;
    const plan = planStepsToTarget(view, c);
    if (plan.kind !== 'chart') throw new Error('skipped');
    const said = "B_noise 98.9 (95% order-statistic interval 65.9 to 144 over 10 seeds; the median of each seed's own fit)";
    expect(plan.caption).toContain(said);
    expect(findStepsToTarget(view, c).findings[0]!.text).toContain("B_noise 98.9 (the median of each seed's own fit, 95% order-statistic interval 65.9 to 144 over 10 seeds)");
    expect(plan.caption).not.toContain('mean of each');
  });

  it('beside the claim, B_simple is given with its interval over seeds, in the chart and the finding', () => {
    const view = viewSweep(data([run(16, 1, [90, 100]), run(64, 1, [400]), run(256, 1, []), run(16, 2, [200]), run(16, 3, [300])]));
    const plan = planStepsToTarget(view, claimStepsView([verdict])!);
    if (plan.kind !== 'chart') throw new Error('skipped');
    const text = 'then the mean over 3 seeds, 200 (95% CI -48.41 to 448.4)'; // 200 -+ 4.3027 x 100 / sqrt(3)
    expect(plan.caption).toContain(text);
    expect(findStepsToTarget(view, claimStepsView([verdict])).findings[0]!.details.join(' ')).toContain(text);
  });

  it('B_simple: the median per seed, then the mean and t interval over seeds', () => {
    // seed 1 medians 100 (measurements 90, 100, 400), seed 2: 200, seed 3: 300 -> mean 200, sd 100,
    // half-width t(0.975, 2) x 100 / sqrt(3) = 4.302652729749462 x 57.735.
    const view = viewSweep(data([run(16, 1, [90, 100]), run(64, 1, [400]), run(16, 2, [200]), run(16, 3, [300])]));
    const s = summarizeNoiseScale(view)!;
    expect(s.mean).toBeCloseTo(200, 10);
    expect(s.hi - s.mean).toBeCloseTo((4.302652729749462 * 100) / Math.sqrt(3), 8);
    expect([s.seeds, s.measurements]).toEqual([3, 5]);
  });
});

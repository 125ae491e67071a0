/**
 * Findings on synthetic sweeps with known answers. Each fixture is a summary built in memory;
 * expected numbers are worked out by hand in the comments (t quantiles from tables:
 * t(0.975, 2) = 4.303, t(0.975, 1) = 12.706).
 */
import { describe, expect, it } from 'vitest';
import type { ResultsData, RunResult, RunSummary } from '../../results/read-results.ts';
import { viewSweep } from '../sweep-view.ts';
import { bestLrPoints, describeExponent, findBestLrGrowth, fitBestLr, perSeedBestLrSlope } from './best-lr.ts';
import { findAccuracyLost } from './accuracy-lost.ts';
import { findGenGap, gapTrend } from './gen-gap.ts';
import { rankFindings, renderFindingsText, summarizeFindings } from './index.ts';
import { findRuleWinner } from './rule-winner.ts';
import { findStableLr } from './stable-lr.ts';
import { claimBestLrViews } from './claim-best-lr.ts';
import type { Verdict } from '../../core/claims/types.ts';

type RunSpec = Partial<RunSummary> & { batchSize: number; seed: number };

let counter = 0;
function run(r: RunSpec): RunResult {
  const summary: RunSummary = {
    line: ++counter, runId: `r${counter}`, status: 'completed', baseLr: r.lr ?? 0.1, lr: 0.1, scalingRule: 'none', steps: 100, epochs: 2,
    examplesSeen: 1000, finalTrainLoss: 0.1, finalTrainAcc: 0.99, finalTestLoss: 0.2, finalTestAcc: 0.9, genGapLoss: 0.1, genGapAcc: 0.01,
    bestTestAcc: 0.9, wallS: 1, samplesPerS: 1000, backend: 'cpu', preciseBnTrainAcc: NaN, preciseBnTestLoss: NaN, preciseBnTestAcc: NaN,
    finalValLoss: NaN, finalValAcc: NaN, bestValAcc: NaN, valSize: 0, trainS: 1,
    axes: {}, ...r,
  };
  if (summary.status === 'diverged') { summary.finalTestAcc = NaN; summary.finalTestLoss = NaN; }
  return { summary, curve: [] };
}
const data = (runs: RunResult[]): ResultsData => ({ dir: 'x', sweep: { name: 'x', spec: {}, environment: {}, axes: [] }, runs });
const BS = [16, 64, 256, 1024];

/**
 * Rule none, LRs 0.025 * 2^k (k = 0..6), two seeds. Accuracy peaks at lr* = 0.1 sqrt(B/64)
 * (0.05, 0.1, 0.2, 0.4: all on the grid) and falls quadratically in log2(lr / lr*); an LR more
 * than 4x above lr* diverges.
 */
function sqrtSweep(): ResultsData {
  const runs: RunResult[] = [];
  for (const b of BS) {
    const star = 0.1 * Math.sqrt(b / 64);
    for (let k = 0; k <= 6; k++) {
      const lr = 0.025 * 2 ** k;
      const off = Math.log2(lr / star);
      for (const seed of [1, 2]) {
        runs.push(run({ batchSize: b, lr, baseLr: lr, seed, status: off > 2 ? 'diverged' : 'completed', finalTestAcc: 0.95 - 0.02 * off * off + 0.001 * seed }));
      }
    }
  }
  return data(runs);
}

describe('choosing on the validation split', () => {
  // Validation accuracy peaks at lr* = 0.1 (B/64) (linear); test accuracy at 0.1 sqrt(B/64).
  function splitSweep(withVal: boolean): ResultsData {
    const runs: RunResult[] = [];
    for (const b of BS) {
      for (let k = 0; k <= 6; k++) {
        const lr = 0.025 * 2 ** k;
        for (const seed of [1, 2]) {
          runs.push(run({
            batchSize: b, lr, baseLr: lr, seed, valSize: withVal ? 500 : 0,
            finalValAcc: withVal ? 0.95 - 0.02 * Math.log2(lr / (0.1 * (b / 64))) ** 2 : NaN,
            finalTestAcc: 0.95 - 0.02 * Math.log2(lr / (0.1 * Math.sqrt(b / 64))) ** 2 + 0.001 * seed,
          }));
        }
      }
    }
    return data(runs);
  }

  it('the best LR is the validation-best when every run has a validation split, and the sentence says so', () => {
    const view = viewSweep(splitSweep(true));
    expect(view.selectOn).toBe('validation');
    expect(bestLrPoints(view, view.groups).map((p) => p.lr)).toEqual([0.025, 0.1, 0.4, 1.6]);
    expect(view.best.map((g) => g.lr)).toEqual([0.025, 0.1, 0.4, 1.6]);
    expect(findBestLrGrowth(view).findings[0]!.text).toContain('(chosen on the validation split)');
  });

  it('without a validation split it falls back to test and says so', () => {
    const view = viewSweep(splitSweep(false));
    expect(view.selectOn).toBe('test');
    expect(bestLrPoints(view, view.groups).map((p) => p.lr)).toEqual([0.05, 0.1, 0.2, 0.4]);
    expect(findBestLrGrowth(view).findings[0]!.text).toContain('(chosen on the test split (these runs have no validation split))');
  });
});

describe('the best-LR finding beside a tuned-slope claim', () => {
  // Two arms; a C6-like claim covers arm sgd. Its verdict's numbers (not the finding's own grid
  // fit) are what the sgd family's finding states; the adam family keeps its own.
  const armed = (): ResultsData => {
    const d = sqrtSweep();
    return data(['sgd', 'adam'].flatMap((arm) => d.runs.map((r) => ({ ...r, summary: { ...r.summary, axes: { arm } } }))));
  };
  const verdict = {
    claimId: 'C6', kind: 'slope', verdict: 'INCONCLUSIVE', expect: 'in [0.75, 1.25]', estimate: 0.812, lo: 0.701, hi: 0.923, level: 0.95, interval: 't', n: 10,
    details: {
      points: [{ x: 16, y: 0.011, how: 'parabola' }, { x: 64, y: 0.052, how: 'parabola' }],
      gridEdges: [{ seed: 3, x: 256, value: 0.64 }, { seed: 7, x: 256, value: 0.64 }],
      tunedOn: { split: 'validation', metric: 'final_val_acc' },
    },
  } as unknown as Verdict;
  const claims = [{ id: 'C6', test: { kind: 'slope', y: 'tuned', tune: 'lr', x: 'batch_size', where: { arm: 'sgd' } } }];

  it("states the claim's slope, interval, verdict and grid edges for the family it covers", () => {
    const view = viewSweep(armed());
    const views = claimBestLrViews([verdict], claims);
    const { findings } = findBestLrGrowth(view, views);
    const sgd = findings.find((f) => f.id === 'best-lr-arm=sgd')!;
    expect(sgd.text).toContain('as claim C6 computes it (log-log slope 0.812, the mean of each seed\'s own slope, 95% CI 0.701 to 0.923 over 10 seeds; each seed\'s best LR chosen by final_val_acc on the validation split');
    expect(sgd.text).toContain('neither linear (1) nor square-root (0.5) lies in the interval; the estimate is closer to linear. Claim C6 (in [0.75, 1.25]): INCONCLUSIVE.');
    expect(sgd.text).toContain('In 2 of 10 seeds the best LR is the smallest or largest tried (at B=256)');
    expect(sgd.details).toEqual(['B=16: best LR 0.011 over all seeds (parabola).', 'B=64: best LR 0.052 over all seeds (parabola).']);
    const adam = findings.find((f) => f.id === 'best-lr-arm=adam')!;
    expect(adam.text).not.toContain('claim C6');
    expect(adam.text).toContain('log-log slope 0.5');
  });

  it('a claim without a slope (too few runs) leaves its family out, with the verdict\'s reason', () => {
    const view = viewSweep(armed());
    const none = { ...verdict, estimate: NaN, lo: NaN, hi: NaN, n: 0, reason: 'INCONCLUSIVE: 0 seeds < 5.' } as Verdict;
    const r = findBestLrGrowth(view, claimBestLrViews([none], claims));
    expect(r.findings.map((f) => f.id)).toEqual(['best-lr-arm=adam']);
    expect(r.leftOut).toEqual([{ id: 'best-lr-arm=sgd', topic: 'how the best learning rate grows with the batch size (arm=sgd)', why: 'claim C6, which covers these runs, has no slope: INCONCLUSIVE: 0 seeds < 5.' }]);
  });

  it('a claim that is not a tuned slope, or covers no family, changes nothing', () => {
    const view = viewSweep(armed());
    const own = findBestLrGrowth(view).findings.map((f) => f.text);
    expect(findBestLrGrowth(view, claimBestLrViews([verdict], [{ ...claims[0], test: { ...claims[0]!.test, y: 'metric' } }])).findings.map((f) => f.text)).toEqual(own);
    expect(findBestLrGrowth(view, claimBestLrViews([verdict], [{ ...claims[0], test: { ...claims[0]!.test, where: { arm: 'sgdx' } } }])).findings.map((f) => f.text)).toEqual(own);
  });
});

describe('best LR growth', () => {
  it('recovers the exponent 0.5 when the best LR grows exactly as B^0.5', () => {
    const view = viewSweep(sqrtSweep());
    expect(bestLrPoints(view, view.groups).map((p) => p.lr)).toEqual([0.05, 0.1, 0.2, 0.4]);
    const { findings } = findBestLrGrowth(view);
    expect(findings).toHaveLength(1);
    const fit = fitBestLr(bestLrPoints(view, view.groups));
    expect(fit.slope).toBeCloseTo(0.5, 10);
    // The seed is the unit: each of the two seeds has its own slope 0.5.
    expect(perSeedBestLrSlope(view, view.groups)).toMatchObject({ seeds: 2 });
    expect(perSeedBestLrSlope(view, view.groups)!.slope).toBeCloseTo(0.5, 10);
    expect(findings[0]!.text).toContain('the mean of each seed\'s own slope, the same slope in every seed, n = 2 seeds over 4 batch sizes');
    expect(fit.lo).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(fit.hi).toBeGreaterThanOrEqual(0.5 - 1e-9);
    expect(findings[0]!.text).toContain('B^0.5');
    expect(findings[0]!.text).toContain('consistent with square-root scaling (0.5), not linear (1)');
    expect(findings[0]!.chart).toBe('final-heatmap');
    expect(findings[0]!.headline).toBe('Best LR grows as B^0.5 (same slope in every seed, 2 seeds): square-root scaling fits, linear does not; best LR 0.05 at B=16, 0.1 at B=64, 0.2 at B=256, 0.4 at B=1024.');
  });

  it('gives the regression interval of the slope: best LRs 0.05, 0.1, 0.4, 0.4 at B = 16..1024', () => {
    // In log2 units x = 4, 6, 8, 10 and y = -1, 0, 2, 2 (+ a constant): slope 11/20 = 0.55,
    // SSE 0.7, SE sqrt(0.7 / 2 / 20) = 0.13229, half-width 4.303 x 0.13229 = 0.5692.
    const fit = fitBestLr([0.05, 0.1, 0.4, 0.4].map((lr, i) => ({ batchSize: BS[i]!, lr, edge: null })));
    expect(fit.slope).toBeCloseTo(0.55, 10);
    expect(fit.lo).toBeCloseTo(0.55 - 0.5692, 3);
    expect(fit.hi).toBeCloseTo(0.55 + 0.5692, 3);
    expect(describeExponent(fit.slope, fit.lo, fit.hi)).toBe(
      'both linear (1) and square-root (0.5) scaling lie in the interval, so these batch sizes do not tell them apart (the estimate is closer to square-root); a constant best LR (0) is not excluded either');
  });

  it.each([
    [0.98, 0.9, 1.1, 'consistent with linear scaling (1), not square-root (0.5)'],
    [1.6, 1.4, 1.8, 'neither linear (1) nor square-root (0.5) lies in the interval; the estimate is closer to linear'],
  ])('words slope %s [%s, %s]', (s, lo, hi, text) => expect(describeExponent(s, lo, hi)).toBe(text));

  it('leaves the finding out, with the reason, when one LR was swept', () => {
    const view = viewSweep(data(BS.flatMap((b) => [1, 2].map((seed) => run({ batchSize: b, seed, lr: 0.1 })))));
    const r = findBestLrGrowth(view);
    expect(r.findings).toEqual([]);
    expect(r.leftOut[0]!.why).toBe('only one learning rate (0.1) was tried');
  });
});

describe('largest stable LR', () => {
  it('brackets the limit between the largest stable and the smallest diverged LR', () => {
    // lr* = 0.05, 0.1, 0.2, 0.4; diverged above 4 lr*: stable up to 0.2, 0.4, 0.8, 1.6 (1.6 = the grid top).
    const { findings } = findStableLr(viewSweep(sqrtSweep()));
    expect(findings[0]!.text).toMatch(/^Divergence starts at B=16 with applied LR 0\.4 \(2 of 2 seeds\)/);
    expect(findings[0]!.details).toEqual([
      'B=16: 0.2; 0.4 diverged in 2 of 2 seeds, so the limit lies between 0.2 and 0.4',
      'B=64: 0.4; 0.8 diverged in 2 of 2 seeds, so the limit lies between 0.4 and 0.8',
      'B=256: 0.8; 1.6 diverged in 2 of 2 seeds, so the limit lies between 0.8 and 1.6',
      'B=1024: at least 1.6 (nothing diverged up to there)',
    ]);
    expect(findings[0]!.headline).toBe('Largest stable LR: 0.2 at B=16, 0.4 at B=64, 0.8 at B=256, 1.6 at B=1024; 0.4 diverged at B=16, 0.8 diverged at B=64, 1.6 diverged at B=256.');
  });
});

/** Two rules x two batch sizes x three seeds, accuracies given per (rule, B). */
function twoRules(acc: Record<string, number[]>, opts: { epochs?: Record<string, number> } = {}): ResultsData {
  const runs: RunResult[] = [];
  for (const [key, accs] of Object.entries(acc)) {
    const [rule, b] = key.split('@') as [string, string];
    const batchSize = Number(b);
    const lr = rule === 'linear' ? 0.1 * (batchSize / 16) : 0.1;
    accs.forEach((a, i) => runs.push(run({ batchSize, seed: i + 1, scalingRule: rule, baseLr: 0.1, lr, finalTestAcc: a, epochs: opts.epochs?.[key] ?? 2, genGapAcc: 0.01 * (1 + 0.5 * Math.log2(batchSize)) })));
  }
  return data(runs);
}

describe('accuracy lost from the smallest to the largest batch', () => {
  it('pairs seeds: drops of 10, 8 and 9 points give 9 [6.52, 11.48]', () => {
    // mean 9, sd 1, half-width 4.303 / sqrt(3) = 2.484.
    const view = viewSweep(twoRules({ 'none@16': [0.95, 0.96, 0.97], 'none@256': [0.85, 0.88, 0.88] }));
    const { findings } = findAccuracyLost(view);
    expect(findings[0]!.text).toBe('none, 2 epochs: from B=16 to B=256 the test accuracy falls by about 9 points (96% to 87%; 95% CI 6.52 to 11.5 points for the paired drop, n = 3 seeds).');
    // The headline gives the change (a drop is negative) with the change's interval.
    expect(findings[0]!.headline).toBe('none: test accuracy 96% at B=16, 87% at B=256 (−9 points, 95% CI -11.5 to -6.52, 3 seeds).');
  });

  it('says "not distinguishable" when the interval covers 0, and leaves out one seed or mixed budgets', () => {
    const noisy = findAccuracyLost(viewSweep(twoRules({ 'none@16': [0.9, 0.9, 0.9], 'none@256': [0.95, 0.85, 0.9] })));
    expect(noisy.findings[0]!.text).toContain('changes by 0 points, not distinguishable from no change');
    const oneSeed = findAccuracyLost(viewSweep(twoRules({ 'none@16': [0.9], 'none@256': [0.8] })));
    expect(oneSeed.leftOut[0]!.why).toBe('1 seed completed at both B=16 and B=256; an interval needs two or more');
    const mixed = findAccuracyLost(viewSweep(twoRules({ 'none@16': [0.9, 0.9], 'none@256': [0.8, 0.8] }, { epochs: { 'none@256': 8 } })));
    expect(mixed.leftOut[0]!.why).toContain('different numbers of epochs (2, 8)');
  });
});

describe('which rule wins at each batch size', () => {
  it('names the winner with the paired difference, and flags overlap', () => {
    const view = viewSweep(twoRules({
      'none@16': [0.95, 0.96, 0.97], 'linear@16': [0.95, 0.96, 0.97],
      'none@64': [0.90, 0.91, 0.92], 'linear@64': [0.95, 0.96, 0.97],
      'none@256': [0.90, 0.91, 0.92], 'linear@256': [0.95, 0.85, 0.92],
    }));
    const { findings } = findRuleWinner(view);
    expect(findings[0]!.text).toContain('base LR 0.1 at B0=16, scaled by each rule');
    expect(findings[0]!.text).toContain('a clear winner at 1 of 3 batch sizes');
    expect(findings[0]!.details[0]).toBe('B=16: every rule gives the same LR (0.1) here, so they tie.');
    // Differences 5, 5, 5: sd 0, so the interval is [5, 5].
    expect(findings[0]!.details[1]).toBe('B=64: linear (LR 0.4, 96%) beats none (91%) by about 5 points (difference 95% CI 5 to 5 points, n = 3 paired seeds).');
    // Differences 5, -5, 0 (none - linear): the 95% t interval of the paired difference covers 0.
    const tie = findings[0]!.details[2]!;
    expect(tie).toMatch(/^B=256: none \(LR 0\.1, 91%\) is not distinguishable from linear \(90\.7%\)/);
    const [lo, hi] = tie.match(/95% CI (\S+) to (\S+) points/)!.slice(1).map((x) => Number(x.replace('−', '-')));
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(0);
    expect(findings[0]!.headline).toBe('Scaling rules (base LR 0.1 at B0=16): a clear winner at 1 of 3 batch sizes (linear at B=64), by test accuracy.');
  });
});

describe('generalisation-gap trend', () => {
  it('recovers a gap growing by exactly 0.5 points per doubling of B', () => {
    const { findings } = findGenGap(viewSweep(twoRules({ 'none@16': [0.9, 0.9], 'none@64': [0.9, 0.9], 'none@256': [0.9, 0.9] })));
    expect(findings[0]!.details[0]).toBe('none: grows by about 0.5 points per doubling of B (the same slope in every seed, n = 2 seeds, 6 runs at 3 batch sizes); 3 points at B=16, 5 points at B=256.');
  });

  it('the seed is the unit: the interval is t over per-seed slopes (df = seeds - 1), not over runs', () => {
    // Seed 1's gap grows 1 point per doubling, seed 2's 2 points: slopes 1 and 2 -> mean 1.5,
    // half-width t(0.975, 1) x sd / sqrt(2) = 12.706 x 0.7071 / 1.4142 = 6.353.
    const runs: RunResult[] = [];
    for (const b of [16, 32, 64]) {
      for (const seed of [1, 2]) runs.push(run({ batchSize: b, seed, genGapAcc: (seed * Math.log2(b / 16)) / 100 }));
    }
    const t = gapTrend(viewSweep(data(runs)), 'none');
    if (typeof t === 'string') throw new Error(t);
    expect(t.slope).toBeCloseTo(1.5, 10);
    expect(t.hi - t.slope).toBeCloseTo(12.706204736174694 * (Math.SQRT1_2 / Math.SQRT2), 8);
    expect(t.seeds).toBe(2);
  });
});

describe('summarizeFindings', () => {
  it('lists every finding and what was left out; the terminal leads with the first three, one line each', () => {
    const r = summarizeFindings(viewSweep(sqrtSweep()));
    expect(r.findings.map((f) => f.id)).toEqual(['best-lr', 'stable-lr', 'accuracy-lost-none', 'gen-gap']);
    expect(r.leftOut.map((l) => l.id)).toEqual(['rule-winner', 'steps-to-target']);
    const lines = renderFindingsText(r, 'out/report.html').trimEnd().split('\n');
    expect(lines).toEqual([
      'Findings (3 of 4; all of them with intervals and details in out/report.html#findings):',
      `1. ${r.findings[0]!.headline}`,
      `2. ${r.findings[1]!.headline}`,
      `3. ${r.findings[2]!.headline}`,
      'Left out, with reasons in the report: which scaling rule wins at each batch size; the steps to reach a target and the critical batch size.',
    ]);
  });

  it('orders findings as HEADLINE_ORDER: the best LR, the winning rule, the stable LR first', () => {
    const f = (id: string) => ({ id, chart: 'c', text: id, headline: id, details: [] });
    expect(rankFindings([f('gen-gap'), f('accuracy-lost-none'), f('stable-lr'), f('steps-to-target'), f('rule-winner-arm=a'), f('best-lr'), f('accuracy-lost-sqrt')]).map((x) => x.id))
      .toEqual(['best-lr', 'rule-winner-arm=a', 'stable-lr', 'steps-to-target', 'accuracy-lost-none', 'accuracy-lost-sqrt', 'gen-gap']);
  });

  it('every headline is one line', () => {
    const r = summarizeFindings(viewSweep(sqrtSweep()));
    for (const x of r.findings) expect(x.headline).not.toContain('\n');
  });
});

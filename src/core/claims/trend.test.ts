import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.ts';
import { logLogSlope, spearman } from '../stats/index.ts';
import { evaluateClaim } from './evaluate.ts';
import type { Claim, ClaimRun, ClaimTest, Expectation, MetricSpec } from './types.ts';
import { thrown } from '../../../test/support/thrown.ts';

const BOOT = { iterations: 500, seed: 0, level: 0.95 };
const BATCHES = [16, 64, 256, 1024];
const SEEDS = [1, 2, 3];

function claimOf(test: Record<string, unknown> & { kind: ClaimTest['kind'] }, metric: MetricSpec, expectation: Expectation): Claim {
  return {
    id: 'T', statement: 'a trend claim', metric, expect: expectation, bootstrap: BOOT, minSeeds: 2,
    test: { where: {}, labels: {}, x: 'batch_size', y: 'metric', xScale: 'log', yScale: 'log', interval: 't', interpolate: 'none', ...test } as ClaimTest,
  };
}

let next = 0;
function run(values: Record<string, string | number>, curve?: Record<string, number>[]): ClaimRun {
  const v: Record<string, string> = { run_id: `r${next++}`, status: 'completed', scaling_rule: 'none', base_lr: '0.1' };
  for (const [k, x] of Object.entries(values)) v[k] = String(x);
  return curve ? { values: v, curve } : { values: v };
}

/** metric = seedFactor * B^power: every seed draw has the same log-log slope. */
function powerRuns(power: number, noise = (_b: number, _s: number) => 1): ClaimRun[] {
  return BATCHES.flatMap((b) => SEEDS.map((s) => run({ batch_size: b, seed: s, lr: 0.1, final_train_loss: (1 + s / 10) * b ** power * noise(b, s) })));
}

describe('slope', () => {
  it.each<[number, Expectation, string]>([
    [-1, { between: [-1.2, -0.8] }, 'SUPPORTED'],
    [-0.5, { between: [-1.2, -0.8] }, 'NOT SUPPORTED'],
    [-1.15, { between: [-1.2, -0.8] }, 'SUPPORTED'],
    [-1.3, { below: -1.25 }, 'SUPPORTED'],
  ])('exact power law B^%s', (power, e, verdict) => {
    const v = evaluateClaim(claimOf({ kind: 'slope' }, { name: 'final_train_loss' }, e), powerRuns(power));
    expect(v.estimate).toBeCloseTo(power, 10);
    expect(v.lo).toBeCloseTo(power, 10);
    expect(v.hi).toBeCloseTo(power, 10);
    expect(v.verdict).toBe(verdict);
  });

  it('noisy slope: the mean of per-seed fits (= the pooled fit on a balanced grid), t over seeds; wide noise is INCONCLUSIVE', () => {
    const noise = (b: number, s: number) => Math.exp(0.8 * Math.sin(b * 7.3 + s * 13.1));
    const runs = powerRuns(-1, noise);
    const ref = logLogSlope(runs.map((r) => Number(r.values.batch_size)), runs.map((r) => Number(r.values.final_train_loss)));
    const v = evaluateClaim(claimOf({ kind: 'slope' }, { name: 'final_train_loss' }, { between: [-1.05, -0.95] }), runs);
    expect(v.estimate).toBeCloseTo(ref.slope, 12);
    expect(v.details.r2).toBeCloseTo(ref.r2, 12);
    expect(v.lo).toBeLessThan(v.estimate);
    expect(v.hi).toBeGreaterThan(v.estimate);
    expect(v.verdict).toBe('INCONCLUSIVE');
    const perSeed = (v.details.perSeed as { value: number }[]).map((p) => p.value);
    expect(perSeed).toHaveLength(3);
    expect(new Set(perSeed).size).toBe(3);
    expect(v.hi - v.lo).toBeGreaterThan(0);
    expect(v.reason).toMatch(/^The log-log slope of final_train_loss against batch_size is -[\d.]+ \(95% CI -[\d.]+ to -?[\d.]+, n=3 seeds, t over per-seed values; pooled r2 [\d.]+\), the interval overlaps an edge of the band -1.05 to -0.95; minimal detectable effect at 80% power [\d.]+\.$/);
  });

  it('lin-log: the metric falls by a fixed amount per doubling', () => {
    const runs = BATCHES.flatMap((b) => SEEDS.map((s) => run({ batch_size: b, seed: s, final_test_acc: 0.99 - 0.01 * Math.log2(b) + s * 0.001 })));
    const v = evaluateClaim(claimOf({ kind: 'slope', yScale: 'linear' }, { name: 'final_test_acc' }, { below: 0 }), runs);
    expect(v.estimate).toBeCloseTo(-0.01 / Math.log(2), 10);
    expect(v.statistic).toBe('linear-log slope');
    expect(v.verdict).toBe('SUPPORTED');
  });

  it('y: tuned fits the best LR per batch size (linear scaling -> slope 1); diverged LRs count as worst', () => {
    const lrs = [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8];
    const runs: ClaimRun[] = [];
    for (const b of [8, 16, 32, 64]) {
      const bestLr = 0.05 * (b / 8); // 0.05, 0.1, 0.2, 0.4
      for (const lr of lrs) {
        for (const s of SEEDS) {
          const acc = 0.95 - 0.05 * Math.log2(lr / bestLr) ** 2 + 0.002 * s;
          // the largest LR "diverges" with a NaN metric: if it counted as missing, nothing would change; as worst it is never best
          runs.push(lr === 0.8 ? run({ batch_size: b, lr, seed: s, status: 'diverged', final_test_acc: 'NaN' }) : run({ batch_size: b, lr, seed: s, final_test_acc: acc }));
        }
      }
    }
    const v = evaluateClaim(claimOf({ kind: 'slope', tune: 'lr', y: 'tuned', tuneOn: 'test' }, { name: 'final_test_acc' }, { between: [0.75, 1.25] }), runs);
    expect(v.estimate).toBeCloseTo(1, 10);
    expect((v.details.points as { y: number }[]).map((p) => p.y)).toEqual([0.05, 0.1, 0.2, 0.4]);
    // Chosen on the test split it is scored on: the interval is clear, the verdict is not given.
    expect(v.verdict).toBe('INCONCLUSIVE');
    expect(v.reason).toContain('The log-log slope of the best lr against batch_size (the lr is chosen by mean final_test_acc on the test split) is +1, identical in all 3 seeds (pooled r2 1), ');
    expect([v.interval, v.p, v.mde]).toEqual(['exact', NaN, NaN]);
    expect(v.reason).toContain('a verdict needs the tuned value chosen off the test split: tuneOn: test chooses on the scored data (the interval is inside the band 0.75 to 1.25)');
  });

  it('y: tuned, interpolated: each seed\'s best LR off the sqrt(2) grid is recovered, so the slope is not quantised', () => {
    // True best LR = 0.01 (B/16)^0.8 times a per-seed factor; accuracy a parabola in log LR.
    const lrs = Array.from({ length: 17 }, (_, i) => 0.004 * Math.SQRT2 ** i); // 0.004 .. 1.02
    const seeds = [1, 2, 3, 4, 5];
    const runs = BATCHES.flatMap((b) => seeds.flatMap((s) => lrs.map((lr) => {
      const best = 0.01 * (b / 16) ** (0.8 + 0.02 * (s - 3)) * (1 + 0.03 * s);
      return run({ batch_size: b, lr, seed: s, final_val_acc: 0.95 - 0.04 * Math.log(lr / best) ** 2 });
    })));
    const c = { ...claimOf({ kind: 'slope', tune: 'lr', y: 'tuned', interpolate: 'parabola' }, { name: 'final_val_acc' }, { between: [0.75, 1.25] }), minSeeds: 5 };
    const v = evaluateClaim(c, runs);
    const perSeed = (v.details.perSeed as { value: number }[]).map((p) => p.value);
    seeds.forEach((s, i) => expect(perSeed[i]).toBeCloseTo(0.8 + 0.02 * (s - 3), 8));
    expect(v.estimate).toBeCloseTo(0.8, 8);
    expect(v.hi - v.lo).toBeGreaterThan(0);
    expect(v.verdict).toBe('SUPPORTED');
    // On grid points alone every seed's slope is a multiple of the grid step, and they coincide.
    const grid = evaluateClaim({ ...c, test: { ...c.test, interpolate: 'none' } as ClaimTest }, runs);
    const gridSlopes = new Set((grid.details.perSeed as { value: number }[]).map((p) => p.value.toFixed(9)));
    expect(gridSlopes.size).toBeLessThan(5);
  });

  it('y: tuned: a seed whose best LR is at the grid edge makes the verdict INCONCLUSIVE, naming the seed and batch size', () => {
    // Best LR 0.01 (B/16)^0.8 per seed; the grid ends at 0.16, below B=1024's optimum (0.28) in
    // every seed; a grid up to 1.02 contains every optimum.
    const seeds = [1, 2, 3, 4, 5];
    const runsFor = (lrs: number[]) => BATCHES.flatMap((b) => seeds.flatMap((s) => lrs.map((lr) => {
      const best = 0.01 * (b / 16) ** (0.8 + 0.02 * (s - 3));
      return run({ batch_size: b, lr, seed: s, final_val_acc: 0.95 - 0.04 * Math.log(lr / best) ** 2 });
    })));
    const grid = (n: number) => Array.from({ length: n }, (_, i) => 0.004 * Math.SQRT2 ** i);
    const c = { ...claimOf({ kind: 'slope', tune: 'lr', y: 'tuned', interpolate: 'parabola' }, { name: 'final_val_acc' }, { between: [0.75, 1.25] }), minSeeds: 5 };
    const inside = evaluateClaim(c, runsFor(grid(17)));
    expect(inside.details.gridEdges).toEqual([]);
    expect(inside.verdict).toBe('SUPPORTED');
    const cut = evaluateClaim(c, runsFor(grid(11))); // 0.004 .. 0.128
    expect((cut.details.gridEdges as { seed: number; x: number }[]).map((e) => [e.seed, e.x])).toEqual(seeds.map((s) => [s, 1024]));
    expect(cut.verdict).toBe('INCONCLUSIVE');
    expect(cut.reason).toContain("a verdict needs every seed's best lr inside the grid: in 5 of 5 seeds it is the smallest or largest value tried (at batch_size=1024)");
    // Without interpolation an edge is still an edge.
    const plain = evaluateClaim({ ...c, test: { ...c.test, interpolate: 'none' } as ClaimTest }, runsFor(grid(11)));
    expect(plain.verdict).toBe('INCONCLUSIVE');
  });

  it('a diverged large LR is the worst choice, not a missing one', () => {
    // lr 1.0 diverges at seed 1 and is excellent at seeds 2-3: as missing it would win; as worst it loses.
    const runs = [8, 16].flatMap((b) => SEEDS.flatMap((s) => [
      run({ batch_size: b, lr: 0.1, seed: s, final_test_acc: 0.9 }),
      s === 1 ? run({ batch_size: b, lr: 1, seed: s, status: 'diverged', final_test_acc: '' }) : run({ batch_size: b, lr: 1, seed: s, final_test_acc: 0.95 }),
    ]));
    const v = evaluateClaim(claimOf({ kind: 'slope', tune: 'lr', y: 'tuned', tuneOn: 'test' }, { name: 'final_test_acc' }, { above: -1 }), runs);
    expect((v.details.points as { y: number }[]).map((p) => p.y)).toEqual([0.1, 0.1]);
  });
});

describe('tune: chosen on the validation split, scored on test', () => {
  // Validation accuracy peaks at lr 0.1, test accuracy at lr 0.2; test accuracy falls with B at either LR.
  const tunedRuns = (valSize: number | '') => [16, 64, 256].flatMap((b) => SEEDS.flatMap((s) => [0.05, 0.1, 0.2].map((lr) => run({
    batch_size: b, lr, seed: s, val_size: valSize,
    final_val_acc: valSize === '' ? '' : 0.9 - Math.abs(lr - 0.1),
    final_test_acc: 0.9 - Math.abs(lr - 0.2) - 0.01 * Math.log2(b) + 0.001 * s,
  }))));
  const rank = (tuneOn?: 'test') => claimOf({ kind: 'rank-correlation', tune: 'lr', ...(tuneOn ? { tuneOn } : {}) }, { name: 'final_test_acc' }, { below: 0 });

  it('the LR with the best mean validation accuracy is kept, and the statistic reads its test accuracy', () => {
    const v = evaluateClaim(rank(), tunedRuns(500));
    expect((v.details.points as { tuned: string }[]).map((p) => p.tuned)).toEqual(Array(9).fill('0.1'));
    expect(v.verdict).toBe('SUPPORTED');
    expect(v.details.tunedOn).toEqual({ split: 'validation', metric: 'final_val_acc', validationExamples: [500] });
    expect(v.reason).toContain('(the lr is chosen by mean final_val_acc on the validation split (500 examples held out of the train split), then scored on test)');
    // Chosen on test, the test-best LR 0.2 would have been kept.
    const onTest = evaluateClaim(rank('test'), tunedRuns(500));
    expect((onTest.details.points as { tuned: string }[]).map((p) => p.tuned)).toEqual(Array(9).fill('0.2'));
  });

  it('y: tuned chosen on validation reads no test data: the verdict names the validation metric, not the test one', () => {
    const v = evaluateClaim(claimOf({ kind: 'slope', tune: 'lr', y: 'tuned' }, { name: 'final_test_acc' }, { above: -1 }), tunedRuns(500));
    // one point per batch size, at the validation-best 0.1 (the test-best LR is 0.2)
    expect((v.details.points as { y: number }[]).map((p) => p.y)).toEqual(Array(3).fill(0.1));
    expect(v.metric).toBe('final_val_acc');
    expect(v.statistic).toBe('log-log slope of the best lr');
    expect(v.reason).toContain('The log-log slope of the best lr against batch_size (the lr is chosen by mean final_val_acc on the validation split (500 examples held out of the train split); no test data read) is 0');
    expect(v.reason).not.toContain('final_test_acc');
  });

  it('runs without a validation split give INCONCLUSIVE, saying why, with the test-chosen interval in the clause', () => {
    const v = evaluateClaim(rank(), tunedRuns(''));
    expect(v.verdict).toBe('INCONCLUSIVE');
    expect(v.reason).toContain('these runs have no validation split (data.validationSize)');
    expect(v.reason).toContain('(the interval is entirely below the threshold 0)');
    expect((v.details.tunedOn as { split: string }).split).toBe('test');
  });

  it('a metric that reads no test data chooses by itself and is not held back', () => {
    const runs = [16, 64, 256].flatMap((b) => SEEDS.flatMap((s) => [0.1, 0.2].map((lr) => run({ batch_size: b, lr, seed: s, final_train_loss: lr * 10 + b / 100 + s / 1000 }))));
    const v = evaluateClaim(claimOf({ kind: 'rank-correlation', tune: 'lr' }, { name: 'final_train_loss' }, { above: 0 }), runs);
    expect(v.verdict).toBe('SUPPORTED');
    expect((v.details.tunedOn as { split: string }).split).toBe('metric');
  });

  it('without tune, several runs per (x, seed) is a UsageError', () => {
    const runs = [0.1, 0.2].flatMap((lr) => powerRuns(-1).map((r) => ({ values: { ...r.values, lr: String(lr), run_id: `${r.values.run_id}-${lr}` } })));
    expect(() => evaluateClaim(claimOf({ kind: 'slope' }, { name: 'final_train_loss' }, { below: 0 }), runs)).toThrow(UsageError);
  });

  it('a non-numeric x is a UsageError at claim.test.x', () => {
    const runs = powerRuns(-1).map((r) => ({ values: { ...r.values, 'model.norm': 'batch' } }));
    const e = thrown(() => evaluateClaim(claimOf({ kind: 'slope', x: 'model.norm' }, { name: 'final_train_loss' }, { below: 0 }), runs), UsageError);
    expect(e.issues[0]).toEqual({ path: 'claim.test.x', message: expect.stringContaining('expected a numeric column, got "batch"') });
  });

  it('one x value or one seed is INCONCLUSIVE', () => {
    const one = powerRuns(-1).filter((r) => r.values.batch_size === '16');
    expect(evaluateClaim(claimOf({ kind: 'slope' }, { name: 'final_train_loss' }, { below: 0 }), one).reason).toContain('it needs at least 2 values of batch_size per seed');
    const seed = powerRuns(-1).filter((r) => r.values.seed === '1');
    expect(evaluateClaim(claimOf({ kind: 'slope' }, { name: 'final_train_loss' }, { below: 0 }), seed).reason)
      .toBe('1 seed < 2: Only 1 seed has their own log-log slope (it needs at least 2 values of batch_size per seed), at least 2 are needed for an interval.');
  });
});

describe('rank-correlation', () => {
  it('monotone decreasing -> rho -1 for every seed; the pooled rho is in the details', () => {
    const v = evaluateClaim(claimOf({ kind: 'rank-correlation' }, { name: 'final_train_loss' }, { below: 0 }), powerRuns(-1));
    // Pooled over seeds, x ties (three runs per batch size) keep rho a little above -1.
    const runs = powerRuns(-1);
    const ref = spearman(runs.map((r) => Number(r.values.batch_size)), runs.map((r) => Number(r.values.final_train_loss)));
    expect(v.details.pooledEstimate).toBeCloseTo(ref, 12);
    expect(v.estimate).toBe(-1); // every seed's own order is perfectly decreasing: identical per-seed values
    expect(v.verdict).toBe('SUPPORTED');
  });
  it('matches a hand computation: x 1,2,3 and y 3,1,2 -> rho -0.5 per seed', () => {
    const runs = SEEDS.flatMap((s) => [[1, 3], [2, 1], [3, 2]].map(([b, y]) => run({ batch_size: b!, seed: s, final_test_loss: y! })));
    const v = evaluateClaim(claimOf({ kind: 'rank-correlation' }, { name: 'final_test_loss' }, { below: 0 }), runs);
    expect(v.estimate).toBeCloseTo(-0.5, 12); // identical seeds: pooled ranks are the per-seed ranks
    expect(v.lo).toBeCloseTo(-0.5, 12);
    expect(v.verdict).toBe('SUPPORTED');
  });
});

describe('critical-batch', () => {
  const curveFor = (steps: number) => [0, 1, 2, 3, 4].map((k) => ({ step: (k * steps) / 4, examples_seen: 0, test_acc: 0.5 + 0.1 * k }));

  it('S = S_min (1 + B_noise / B) exactly, per-seed multiplicative noise: B_noise recovered for every draw', () => {
    const runs = BATCHES.flatMap((b) => SEEDS.map((s) => run({ batch_size: b, seed: s }, curveFor(Math.round(100 * (1 + 500 / b) * (1 + s / 10) * 4) / 4))));
    const v = evaluateClaim(claimOf({ kind: 'critical-batch' }, { name: 'steps_to_target', column: 'test_acc', target: 0.9 }, { between: [400, 600] }), runs);
    expect(v.estimate).toBeCloseTo(500, 0);
    expect(v.details.sMin).toBeCloseTo(120, 0);
    expect(v.verdict).toBe('SUPPORTED');
    expect(v.reason).toContain("B_noise of S = S_min (1 + B_noise / batch_size) fitted to each seed's steps_to_target(test_acc >= 0.9) is +500");
  });

  it('tunes the LR per batch size by the fewest steps; a target never reached is worst; too few batch sizes is INCONCLUSIVE', () => {
    const runs = BATCHES.flatMap((b) => SEEDS.flatMap((s) => [
      run({ batch_size: b, lr: 0.1, seed: s }, curveFor(2 * 100 * (1 + 300 / b))),
      run({ batch_size: b, lr: 0.2, seed: s }, curveFor(100 * (1 + 300 / b))),
      run({ batch_size: b, lr: 0.4, seed: s }, b === 16 ? curveFor(1) : curveFor(1).map((r) => ({ ...r, test_acc: 0.1 }))), // reached only at B=16
    ]));
    const c = claimOf({ kind: 'critical-batch', tune: 'lr', tuneOn: 'test' }, { name: 'steps_to_target', target: 0.9 }, { above: 100 });
    const v = evaluateClaim(c, runs);
    // B=16 picks lr 0.4 (1 step); the others lr 0.2
    expect((v.details.points as { tuned: string }[]).map((p) => p.tuned)).toEqual(['0.4', '0.2', '0.2', '0.2']);
    const without16 = evaluateClaim(c, runs.filter((r) => r.values.batch_size !== '16'));
    expect(without16.estimate).toBeCloseTo(300, 6);
    const two = evaluateClaim(c, runs.filter((r) => ['16', '64'].includes(r.values.batch_size!)));
    expect(two.verdict).toBe('INCONCLUSIVE');
    expect(two.reason).toContain('it needs at least 3 values of batch_size with a finite value per seed');
  });
});

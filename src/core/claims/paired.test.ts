import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.ts';
import { evaluateClaim } from './evaluate.ts';
import type { Claim, ClaimRun, ClaimTest, Expectation, MetricSpec } from './types.ts';

const BOOT = { iterations: 2000, seed: 0, level: 0.95 };

function claimOf(test: Partial<ClaimTest> & { kind: ClaimTest['kind'] }, metric: MetricSpec, expectation?: Expectation): Claim {
  return {
    id: 'T', statement: 'a test claim', metric,
    test: { where: {}, labels: {}, interval: 't', ...test } as ClaimTest,
    ...(expectation ? { expect: expectation } : {}),
    bootstrap: BOOT,
    minSeeds: 2, // these tests check the statistics; the seed rule has its own tests
  };
}

let next = 0;
function run(values: Record<string, string | number>): ClaimRun {
  const v: Record<string, string> = { run_id: `r${next++}`, status: 'completed', lr: '0.1', scaling_rule: 'none' };
  for (const [k, x] of Object.entries(values)) v[k] = String(x);
  return { values: v };
}

/** One run per (norm, batch, seed) with final_test_acc = 1 - error. */
function normRuns(errors: Record<string, Record<number, number[]>>): ClaimRun[] {
  const out: ClaimRun[] = [];
  for (const [norm, byBatch] of Object.entries(errors)) {
    for (const [b, errs] of Object.entries(byBatch)) {
      errs.forEach((e, i) => out.push(run({ 'model.norm': norm, batch_size: b, seed: i + 1, final_test_acc: 1 - e })));
    }
  }
  return out;
}

describe('paired-difference', () => {
  it('two seeds: a t interval with 1 degree of freedom, wide and never collapsed', () => {
    const runs = normRuns({ batch: { 2: [0.30, 0.40], 32: [0.20, 0.25] } }); // differences 0.10 and 0.15
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { batch_size: 2 }, b: { batch_size: 32 } }, { name: 'final_test_error' }, { above: 0 }), runs);
    // scipy: stats.t.ppf(0.975, 1) = 12.706204736174694; sd of (0.10, 0.15) = 0.05/sqrt(2)
    const half = (12.706204736174694 * (0.05 / Math.SQRT2)) / Math.SQRT2;
    expect(v.estimate).toBeCloseTo(0.125, 12);
    expect(v.lo).toBeCloseTo(0.125 - half, 10);
    expect(v.hi).toBeCloseTo(0.125 + half, 10);
    expect(v.n).toBe(2);
    expect(v.verdict).toBe('INCONCLUSIVE');
    expect(v.reason).toMatch(/^\{batch_size=2\} minus \{batch_size=32\} in final_test_error is \+12\.5 points \(95% CI -19\.3 to 44\.3, n=2 seeds\), the interval straddles the threshold 0 points; minimal detectable effect at 80% power [\d.]+ points\.$/);
  });

  it('t interval: mean 2, sd 1, n 3 -> 2 +- t(0.975, 2)/sqrt(3); p and MDE from the same t test', () => {
    const runs = [1, 2, 3].flatMap((d, i) => [run({ arm: 'a', seed: i, final_train_loss: 10 + d }), run({ arm: 'b', seed: i, final_train_loss: 10 })]);
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { arm: 'a' }, b: { arm: 'b' }, interval: 't' }, { name: 'final_train_loss' }, { above: 0 }), runs);
    const half = 4.302652729749462 / Math.sqrt(3); // scipy stats.t.ppf(0.975, 2)
    expect(v.estimate).toBeCloseTo(2, 12);
    expect(v.lo).toBeCloseTo(2 - half, 10);
    expect(v.hi).toBeCloseTo(2 + half, 10);
    expect(v.interval).toBe('t');
    expect(v.verdict).toBe('INCONCLUSIVE');
    // scipy: stats.ttest_1samp([1, 2, 3], 0).pvalue = 0.07417990022744862
    expect(v.p).toBeCloseTo(0.07417990022744862, 10);
    expect(v.pHolm).toBe(v.p);
    expect(v.mde).toBeCloseTo(3.264043549699573, 6); // power.test.ts: MDE for n = 3, sd 1
  });

  it('bootstrap (BCa) only from 10 seeds on; below that the t interval, with a note', () => {
    const few = normRuns({ batch: { 2: [0.3, 0.42, 0.35, 0.5], 32: [0.2, 0.25, 0.3, 0.22] } });
    const c = claimOf({ kind: 'paired-difference', a: { batch_size: 2 }, b: { batch_size: 32 }, interval: 'bootstrap' }, { name: 'final_test_error' }, { above: 0 });
    const v = evaluateClaim(c, few);
    expect(v.interval).toBe('t');
    expect(v.details.intervalNote).toBe('bootstrap needs >= 10 seeds, got 4: t interval used');
    const errs2 = [0.3, 0.42, 0.35, 0.5, 0.33, 0.41, 0.38, 0.29, 0.45, 0.36, 0.4, 0.31];
    const errs32 = [0.2, 0.25, 0.3, 0.22, 0.26, 0.24, 0.21, 0.27, 0.23, 0.28, 0.22, 0.25];
    const many = normRuns({ batch: { 2: errs2, 32: errs32 } });
    const b1 = evaluateClaim(c, many);
    expect(b1.interval).toBe('bootstrap');
    expect(evaluateClaim(c, many)).toEqual(b1);
    const b2 = evaluateClaim({ ...c, bootstrap: { ...BOOT, seed: 7 } }, many);
    expect(b2.estimate).toBe(b1.estimate);
    expect(b2.lo).not.toBe(b1.lo);
    expect(b1.lo).toBeGreaterThan(0);
    expect(b1.hi - b1.lo).toBeGreaterThan(0);
    expect(b1.reason).toContain('BCa bootstrap');
  });

  it('fewer seeds than minSeeds: INCONCLUSIVE, saying "3 seeds < 5", with the interval and MDE', () => {
    const runs = normRuns({ batch: { 2: [0.5, 0.52, 0.51], 32: [0.2, 0.25, 0.3] } });
    const c = { ...claimOf({ kind: 'paired-difference', a: { batch_size: 2 }, b: { batch_size: 32 } }, { name: 'final_test_error' }, { above: 0 }), minSeeds: 5 };
    const v = evaluateClaim(c, runs);
    expect(v.verdict).toBe('INCONCLUSIVE');
    expect(v.minSeeds).toBe(5);
    expect(v.reason).toMatch(/^3 seeds < 5: .* is \+26 points \(95% CI .*, n=3 seeds\), a verdict needs 5 paired seeds \(the interval is entirely above the threshold 0 points\); minimal detectable effect at 80% power [\d.]+ points\.$/);
    expect(Number.isFinite(v.mde) && v.mde > 0).toBe(true);
    expect(evaluateClaim({ ...c, minSeeds: 3 }, runs).verdict).toBe('SUPPORTED');
  });

  it('no zero-width interval from non-identical differences (n = 2..8, random data)', () => {
    let state = 12345;
    const rnd = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 2; n <= 8; n++) {
      for (let rep = 0; rep < 5; rep++) {
        const a = Array.from({ length: n }, () => 0.3 + 0.1 * rnd());
        const b = Array.from({ length: n }, () => 0.2 + 0.1 * rnd());
        const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { batch_size: 2 }, b: { batch_size: 32 } }, { name: 'final_test_error' }, { above: 0 }), normRuns({ batch: { 2: a, 32: b } }));
        expect(v.hi - v.lo).toBeGreaterThan(0);
        expect(v.mde).toBeGreaterThan(0);
      }
    }
  });

  it('NOT SUPPORTED when the interval is on the other side', () => {
    const runs = normRuns({ batch: { 2: [0.1, 0.12, 0.11], 32: [0.2, 0.25, 0.3] } });
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { batch_size: 2 }, b: { batch_size: 32 } }, { name: 'final_test_error' }, { above: 0 }), runs);
    expect(v.verdict).toBe('NOT SUPPORTED');
    expect(v.reason).toContain('the opposite of the claim');
  });
});

describe('interaction', () => {
  // Wu & He's numbers as three noisy seeds: BN 34.7 vs 23.6, GN 24.1 vs 24.1.
  const runs = normRuns({
    batch: { 2: [0.347, 0.36, 0.33], 32: [0.236, 0.24, 0.232] },
    group: { 2: [0.241, 0.245, 0.238], 32: [0.241, 0.243, 0.24] },
  });
  const test = {
    kind: 'interaction' as const,
    a1: { 'model.norm': 'batch', batch_size: 2 }, a2: { 'model.norm': 'batch', batch_size: 32 },
    b1: { 'model.norm': 'group', batch_size: 2 }, b2: { 'model.norm': 'group', batch_size: 32 },
    labels: { a1: 'BN(2)', a2: 'BN(32)', b1: 'GN(2)', b2: 'GN(32)' },
  };

  it('[A1 - A2] - [B1 - B2] per seed, averaged', () => {
    const v = evaluateClaim(claimOf(test, { name: 'final_test_error' }, { above: 0 }), runs);
    const perSeed = [(0.347 - 0.236) - (0.241 - 0.241), (0.36 - 0.24) - (0.245 - 0.243), (0.33 - 0.232) - (0.238 - 0.24)];
    expect(v.details.differences as number[]).toEqual(perSeed.map((d) => expect.closeTo(d, 12)));
    expect(v.estimate).toBeCloseTo(perSeed.reduce((a, b) => a + b) / 3, 12);
    const m = perSeed.reduce((a, b) => a + b) / 3;
    const sd = Math.sqrt(perSeed.reduce((s, d) => s + (d - m) ** 2, 0) / 2);
    expect(v.lo).toBeCloseTo(m - (4.302652729749462 * sd) / Math.sqrt(3), 10);
    expect(v.hi).toBeCloseTo(m + (4.302652729749462 * sd) / Math.sqrt(3), 10);
    expect(v.verdict).toBe('SUPPORTED');
    expect(v.reason).toMatch(/^\[BN\(2\) - BN\(32\)\] - \[GN\(2\) - GN\(32\)\] in final_test_error is \+11 points \(95% CI [\d.]+ to [\d.]+, n=3 seeds\), entirely above the threshold 0 points; minimal detectable effect at 80% power [\d.]+ points\.$/);
  });

  it('a diverged run without a finite metric drops its seed; a substitute value keeps it', () => {
    const diverged = runs.map((r) => (r.values['model.norm'] === 'batch' && r.values.batch_size === '2' && r.values.seed === '3'
      ? { values: { ...r.values, status: 'diverged', final_test_acc: 'NaN' } } : r));
    const v = evaluateClaim(claimOf(test, { name: 'final_test_error' }, { above: 0 }), diverged);
    expect(v.n).toBe(2);
    expect(v.details.leftOut).toEqual([expect.objectContaining({ group: 'a1', seed: '3', why: 'diverged' })]);
    const sub = evaluateClaim(claimOf(test, { name: 'final_test_error', diverged: 0.9 }, { above: 0 }), diverged);
    expect(sub.n).toBe(3);
    expect((sub.details.differences as number[])[2]).toBeCloseTo(0.9 - 0.232 - (0.238 - 0.24), 12);
  });

  it('fewer than two complete seeds is INCONCLUSIVE, saying what is missing', () => {
    const few = runs.filter((r) => !(r.values.seed !== '1' && r.values['model.norm'] === 'group' && r.values.batch_size === '32'))
      .map((r) => (r.values.seed === '1' && r.values['model.norm'] === 'group' && r.values.batch_size === '2' ? { values: { ...r.values, status: 'failed' } } : r));
    const v = evaluateClaim(claimOf(test, { name: 'final_test_error' }, { above: 0 }), few);
    expect(v.verdict).toBe('INCONCLUSIVE');
    expect(v.n).toBe(0);
    expect(v.reason).toBe('0 seeds < 2: Only 0 seeds have a finite final_test_error in every group (a1, a2, b1, b2), at least 2 are needed for an interval; left out: seed 1 in b1 (failed).');
  });

  it('a group no run matches is INCONCLUSIVE', () => {
    const v = evaluateClaim(claimOf({ ...test, b2: { 'model.norm': 'group', batch_size: 64 } }, { name: 'final_test_error' }, { above: 0 }), runs);
    expect(v.verdict).toBe('INCONCLUSIVE');
    expect(v.reason).toContain('No run matches b2 GN(32)');
  });

  it('a selector matching several runs per seed is a UsageError naming the differing column', () => {
    let err: unknown;
    try {
      evaluateClaim(claimOf({ kind: 'paired-difference', a: { 'model.norm': 'batch' }, b: { 'model.norm': 'group' } }, { name: 'final_test_error' }, { above: 0 }), runs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues[0]!.path).toBe('claim.test.a');
    expect((err as UsageError).issues[0]!.message).toContain('differ in batch_size (2 | 32)');
  });
});

describe('equivalence (TOST)', () => {
  // differences 0.001, -0.001, 0.002, 0, -0.002: mean 0, sd sqrt(2.5e-6), 90% half width 2.132 * sd / sqrt(5).
  const diffs = [0.001, -0.001, 0.002, 0, -0.002];
  const runs = diffs.flatMap((d, i) => [run({ arm: 'decay-lr', seed: i, final_test_acc: 0.9 + d }), run({ arm: 'grow-batch', seed: i, final_test_acc: 0.9 })]);
  const half = (2.1318467863266495 * Math.sqrt(2.5e-6)) / Math.sqrt(5); // scipy stats.t.ppf(0.95, 4)
  it.each<[number, string]>([[0.005, 'SUPPORTED'], [0.001, 'INCONCLUSIVE']])('margin %s -> %s', (margin, verdict) => {
    const v = evaluateClaim(claimOf({ kind: 'equivalence', a: { arm: 'decay-lr' }, b: { arm: 'grow-batch' }, margin }, { name: 'final_test_acc' }), runs);
    expect(v.estimate).toBeCloseTo(0, 12);
    expect(v.lo).toBeCloseTo(-half, 9);
    expect(v.hi).toBeCloseTo(half, 9);
    expect(v.level).toBe(0.9);
    expect(v.verdict).toBe(verdict);
  });
  it('a clear difference beyond the margin is NOT SUPPORTED', () => {
    const shifted = runs.map((r) => (r.values.arm === 'decay-lr' ? { values: { ...r.values, final_test_acc: String(Number(r.values.final_test_acc) + 0.05) } } : r));
    const v = evaluateClaim(claimOf({ kind: 'equivalence', a: { arm: 'decay-lr' }, b: { arm: 'grow-batch' }, margin: 0.01 }, { name: 'final_test_acc' }), shifted);
    expect(v.verdict).toBe('NOT SUPPORTED');
    expect(v.reason).toMatch(/is \+5 points \(90% CI .*, n=5 seeds, TOST p=.*\), entirely beyond the margin \+-1 points; minimal detectable effect at 80% power [\d.]+ points\.$/);
  });
});

describe('the procedure rule in paired verdicts', () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const pairs = (a: (s: number) => Record<string, string | number>, b: (s: number) => Record<string, string | number>) =>
    seeds.flatMap((s) => [run({ arm: 'a', seed: s, ...a(s) }), run({ arm: 'b', seed: s, ...b(s) })]);

  it('every seed the same difference: "identical in all 10 seeds", no interval, p or MDE', () => {
    const runs = pairs(() => ({ steps: 240 }), () => ({ steps: 2000 }));
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { arm: 'a' }, b: { arm: 'b' } }, { name: 'steps' }, { below: 0 }), runs);
    expect(v).toMatchObject({ interval: 'exact', estimate: -1760, lo: -1760, hi: -1760, verdict: 'SUPPORTED', statistic: 'paired difference' });
    expect(v.p).toBeNaN();
    expect(v.mde).toBeNaN();
    expect(v.reason).toBe('{arm=a} minus {arm=b} in steps is -1760, identical in all 10 seeds, entirely below the threshold 0.');
  });

  it('equivalence with identical seeds: exact, inside the margin', () => {
    const runs = pairs(() => ({ final_train_loss: 0.25 }), () => ({ final_train_loss: 0.25 }));
    const v = evaluateClaim(claimOf({ kind: 'equivalence', a: { arm: 'a' }, b: { arm: 'b' }, margin: 0.001 }, { name: 'final_train_loss' }), runs);
    expect(v).toMatchObject({ interval: 'exact', estimate: 0, verdict: 'SUPPORTED' });
    expect(v.p).toBeNaN();
  });

  it('diverged runs with an imputed value: the sign test and counts, not a t interval on the imputed numbers', () => {
    // a diverges in seeds 1-9 (imputed 1000) and ends at 2.1 in seed 10; b ends near 0.3.
    const runs = pairs(
      (s): Record<string, string | number> => (s < 10 ? { status: 'diverged', final_train_loss: 'NaN' } : { final_train_loss: 2.1 }),
      (s) => ({ final_train_loss: 0.3 + s / 1000 }),
    );
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { arm: 'a' }, b: { arm: 'b' } }, { name: 'final_train_loss', diverged: 1000 }, { above: 0 }), runs);
    expect(v.interval).toBe('sign');
    expect(v.statistic).toBe('median paired difference');
    expect(v.p).toBeCloseTo(2 / 1024, 14); // 10 of 10 above 0
    expect(v.mde).toBeNaN();
    expect(v.verdict).toBe('SUPPORTED');
    expect(v.details.imputedSeeds).toBe(9);
    expect(v.reason).toContain('judged by its sign, not its size (9 of 10 seeds stand for diverged runs (an imputed value: only their order is data); 10 above and 0 below 0, sign test p=0.00195, n=10 seeds; no median or interval is given, their size would be an imputed value\'s)');
    // The median (999.7) and its bounds would be imputed numbers: none is published.
    expect([v.estimate, v.lo, v.hi]).toEqual([NaN, NaN, NaN]);
  });

  it('a heavily skewed sample of differences: median and its order-statistic interval', () => {
    const d = [0.1, 0.2, 0.15, 0.12, 0.18, 0.11, 0.16, 0.14, 0.13, 5];
    const runs = pairs((s) => ({ final_train_loss: 1 + d[s - 1]! }), () => ({ final_train_loss: 1 }));
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { arm: 'a' }, b: { arm: 'b' } }, { name: 'final_train_loss' }, { above: 0 }), runs);
    expect(v.interval).toBe('sign');
    expect(v.estimate).toBeCloseTo(0.145, 12); // median of the ten
    expect(v.lo).toBeCloseTo(0.11, 12); // x(2)
    expect(v.hi).toBeCloseTo(0.2, 12); // x(9)
    expect(v.reason).toContain('heavily skewed');
  });
});

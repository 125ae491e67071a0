import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.ts';
import { evaluateClaim } from './evaluate.ts';
import type { Claim, ClaimRun, ClaimTest, Expectation, MetricSpec } from './types.ts';

const BOOT = { iterations: 2000, seed: 0, level: 0.95 };

function claimOf(test: Partial<ClaimTest> & { kind: ClaimTest['kind'] }, metric: MetricSpec, expectation?: Expectation): Claim {
  return {
    id: 'T', statement: 'a test claim', metric,
    test: { where: {}, labels: {}, interval: 'bootstrap', ...test } as ClaimTest,
    ...(expectation ? { expect: expectation } : {}),
    bootstrap: BOOT,
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
  it('two seeds: the percentile bootstrap interval is the range of the two differences', () => {
    // Resampled means are d1, (d1+d2)/2 or d2 with probabilities 1/4, 1/2, 1/4: the 2.5% and 97.5% quantiles are d1 and d2.
    const runs = normRuns({ batch: { 2: [0.30, 0.40], 32: [0.20, 0.25] } }); // differences 0.10 and 0.15
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { batch_size: 2 }, b: { batch_size: 32 } }, { name: 'final_test_error' }, { above: 0 }), runs);
    expect(v.estimate).toBeCloseTo(0.125, 12);
    expect(v.lo).toBeCloseTo(0.1, 12);
    expect(v.hi).toBeCloseTo(0.15, 12);
    expect(v.n).toBe(2);
    expect(v.verdict).toBe('SUPPORTED');
    expect(v.reason).toBe('{batch_size=2} minus {batch_size=32} in final_test_error is +12.5 points (95% CI 10 to 15, n=2 seeds), entirely above the threshold 0 points.');
  });

  it('t interval: mean 2, sd 1, n 3 -> 2 +- 4.303/sqrt(3)', () => {
    const runs = [1, 2, 3].flatMap((d, i) => [run({ arm: 'a', seed: i, final_train_loss: 10 + d }), run({ arm: 'b', seed: i, final_train_loss: 10 })]);
    const v = evaluateClaim(claimOf({ kind: 'paired-difference', a: { arm: 'a' }, b: { arm: 'b' }, interval: 't' }, { name: 'final_train_loss' }, { above: 0 }), runs);
    const half = 4.303 / Math.sqrt(3);
    expect(v.estimate).toBeCloseTo(2, 12);
    expect(v.lo).toBeCloseTo(2 - half, 10);
    expect(v.hi).toBeCloseTo(2 + half, 10);
    expect(v.interval).toBe('t');
    expect(v.verdict).toBe('INCONCLUSIVE');
  });

  it('is reproducible and changes with the bootstrap seed only through the interval', () => {
    const runs = normRuns({ batch: { 2: [0.3, 0.42, 0.35, 0.5], 32: [0.2, 0.25, 0.3, 0.22] } });
    const c = claimOf({ kind: 'paired-difference', a: { batch_size: 2 }, b: { batch_size: 32 } }, { name: 'final_test_error' }, { above: 0 });
    const v1 = evaluateClaim(c, runs);
    expect(evaluateClaim(c, runs)).toEqual(v1);
    const v2 = evaluateClaim({ ...c, bootstrap: { ...BOOT, seed: 7 } }, runs);
    expect(v2.estimate).toBe(v1.estimate);
    expect(v1.lo).toBeGreaterThan(0);
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
    expect(v.lo).toBeGreaterThanOrEqual(Math.min(...perSeed) - 1e-12);
    expect(v.hi).toBeLessThanOrEqual(Math.max(...perSeed) + 1e-12);
    expect(v.verdict).toBe('SUPPORTED');
    expect(v.reason).toMatch(/^\[BN\(2\) - BN\(32\)\] - \[GN\(2\) - GN\(32\)\] in final_test_error is \+11 points \(95% CI 10 to 11\.8, n=3 seeds\), entirely above the threshold 0 points\.$/);
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
    expect(v.reason).toBe('Only 0 seeds have a finite final_test_error in every group (a1, a2, b1, b2), 2 are needed; left out: seed 1 in b1 (failed).');
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
  const half = (2.132 * Math.sqrt(2.5e-6)) / Math.sqrt(5);
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
    expect(v.reason).toMatch(/is \+5 points \(90% CI .*, n=5 seeds, TOST p=.*\), entirely beyond the margin \+-1 points\.$/);
  });
});

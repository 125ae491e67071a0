/**
 * From per-seed values to an interval, a p-value and the minimal detectable effect. Seeds are
 * the unit: each contributes one value (a paired difference, or the seed's own slope,
 * correlation or fit), so the t interval has n - 1 degrees of freedom. BCa bootstrap replaces
 * t only from 10 seeds on. The procedure rule (core/stats/procedure.ts) comes first: identical
 * seeds are reported as exact (no interval, p or MDE); imputed (diverged) values and heavily
 * skewed or bimodal samples get the median with its order-statistic interval and the sign test.
 */
import {
  bcaBootstrapCi, chooseSeedProcedure, insideBandP, mean, meanCi, medianCi, minimalDetectableEffect, oneSampleT, signTest, std, tost,
} from '../stats/index.ts';
import { BOOTSTRAP_MIN_SEEDS, type BootstrapSpec, type Expectation, type IntervalChoice, type IntervalKind } from './types.ts';

export interface Inference {
  /** The mean of the per-seed values; their median with 'sign'; the common value with 'exact'. */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  interval: IntervalKind;
  /** NaN with 'exact' (nothing was estimated). */
  p: number;
  /** NaN with 'exact' and 'sign' (the MDE is that of the t test). */
  mde: number;
  /** Standard deviation of the per-seed values. */
  sd: number;
  /** Set when a bootstrap was asked for but t was used. */
  note?: string;
  /** With 'sign' and 'exact': why the procedure rule chose it; with 'sign', the sign counts too. */
  why?: string;
  /** With 'sign': the exact coverage of the order-statistic interval. */
  coverage?: number;
  /** With 'sign': the sign counts and the sign test's p, in words. */
  counts?: string;
}

/** The procedure rule's replacements for t; undefined when t (or the bootstrap) stands. */
function ruleInference(values: readonly number[], imputed: number, level: number, signP: () => { p: number; counts: string }): Inference | undefined {
  const choice = chooseSeedProcedure(values, imputed);
  const sd = std(values);
  if (choice.procedure === 'exact') {
    const v = values[0]!;
    return { estimate: v, lo: v, hi: v, level: 1, interval: 'exact', p: NaN, mde: NaN, sd, why: choice.why };
  }
  if (choice.procedure !== 'sign') return undefined;
  const ci = medianCi(values, level);
  const { p, counts } = signP();
  return {
    estimate: ci.median, lo: ci.lo, hi: ci.hi, level, interval: 'sign', p, mde: NaN, sd, coverage: ci.coverage, counts,
    why: `${choice.why}; ${counts}`,
  };
}

/** Sign-test p against the claimed region (the analogue of regionP), with the counts it rests on. */
function regionSignP(values: readonly number[], expect: Expectation): { p: number; counts: string } {
  const count = (t: number) => {
    const s = signTest(values, t);
    return { s, text: `${s.above} above and ${s.below} below ${t}${s.ties ? ` (${s.ties} equal)` : ''}` };
  };
  if ('above' in expect || 'below' in expect) {
    const t = 'above' in expect ? expect.above : expect.below;
    const { s, text } = count(t);
    return { p: s.p, counts: `${text}, sign test p=${s.p.toPrecision(3)}` };
  }
  const [lo, hi] = expect.between;
  const a = count(lo);
  const b = count(hi);
  const p = Math.min(1, 2 * Math.max(a.s.pGreater, b.s.pLess));
  return { p, counts: `${a.text}; ${b.text}; sign test p=${p.toPrecision(3)}` };
}

/** Equivalence within +-margin: TOST on t, or the rule's exact / sign replacements (90% interval either way). */
export function inferEquivalence(diffs: readonly number[], margin: number, imputed = 0): Inference & { tost?: ReturnType<typeof tost> } {
  const rule = ruleInference(diffs, imputed, 0.9, () => {
    const lower = signTest(diffs, -margin);
    const upper = signTest(diffs, margin);
    const p = Math.max(lower.pGreater, upper.pLess);
    return { p, counts: `${lower.above} of ${diffs.length} above -${margin} and ${upper.below} below +${margin}, two one-sided sign tests p=${p.toPrecision(3)}` };
  });
  if (rule) return rule;
  const t = tost(diffs, margin);
  return { estimate: t.mean, lo: t.lo, hi: t.hi, level: 0.9, interval: 't', p: t.p, mde: minimalDetectableEffect(std(diffs), diffs.length), sd: std(diffs), tost: t };
}

/** The statistic on a set of seeds, for the bootstrap: the pooled estimate refitted on each draw. */
export interface PooledStatistic<T> {
  rows: readonly T[];
  statistic: (rows: T[]) => number;
}

/** p of the test against the claimed region (see Verdict.p). */
export function regionP(values: readonly number[], expect: Expectation): number {
  if ('above' in expect) return oneSampleT(values, expect.above).p;
  if ('below' in expect) return oneSampleT(values, expect.below).p;
  return insideBandP(values, expect.between[0], expect.between[1]);
}

/**
 * `values`: one per seed, >= 2. `pooled`: for trend statistics, the pooled statistic that the
 * bootstrap refits on each draw of seeds (absent: the mean of the values).
 */
export function inferFromSeeds<T>(
  values: readonly number[],
  expect: Expectation,
  want: IntervalChoice,
  bootstrap: BootstrapSpec,
  pooled?: PooledStatistic<T>,
  imputed = 0,
): Inference {
  const rule = ruleInference(values, imputed, 0.95, () => regionSignP(values, expect));
  if (rule) return rule;
  const n = values.length;
  const sd = std(values);
  const common = { p: regionP(values, expect), mde: minimalDetectableEffect(sd, n), sd };
  if (want === 'bootstrap' && n >= BOOTSTRAP_MIN_SEEDS) {
    const ci = pooled ? bcaBootstrapCi(pooled.rows, pooled.statistic, bootstrap) : bcaBootstrapCi(values, mean, bootstrap);
    return { estimate: ci.estimate, lo: ci.lo, hi: ci.hi, level: bootstrap.level, interval: 'bootstrap', ...common };
  }
  const ci = meanCi(values, 0.95);
  const note = want === 'bootstrap' ? `bootstrap needs >= ${BOOTSTRAP_MIN_SEEDS} seeds, got ${n}: t interval used` : undefined;
  return { estimate: ci.mean, lo: ci.lo, hi: ci.hi, level: 0.95, interval: 't', ...common, ...(note ? { note } : {}) };
}

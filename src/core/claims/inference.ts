/**
 * From per-seed values to an interval, a p-value and the minimal detectable effect. Seeds are
 * the unit: each contributes one value (a paired difference, or the seed's own slope,
 * correlation or fit), so the t interval has n - 1 degrees of freedom and never collapses
 * unless every seed gave the same value. BCa bootstrap replaces t only from 10 seeds on.
 */
import { bcaBootstrapCi, insideBandP, mean, meanCi, minimalDetectableEffect, oneSampleT, std } from '../stats/index.ts';
import { BOOTSTRAP_MIN_SEEDS, type BootstrapSpec, type Expectation, type IntervalChoice } from './types.ts';

export interface Inference {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  interval: IntervalChoice;
  p: number;
  mde: number;
  /** Standard deviation of the per-seed values. */
  sd: number;
  /** Set when a bootstrap was asked for but t was used. */
  note?: string;
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
): Inference {
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

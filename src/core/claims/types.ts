/**
 * The shapes of a claim (as validated from a spec's `claim:` block), of the runs it is
 * evaluated on, and of the verdict it yields. Plain data; see docs/CLAIMS.md for the meaning.
 */

export const TEST_KINDS = ['paired-difference', 'interaction', 'equivalence', 'slope', 'rank-correlation', 'critical-batch'] as const;
export type TestKind = (typeof TEST_KINDS)[number];

export const VERDICTS = ['SUPPORTED', 'NOT SUPPORTED', 'INCONCLUSIVE'] as const;
export type VerdictLabel = (typeof VERDICTS)[number];

/** Column of summary.csv (snake_case or a dotted axis path) -> required value. Values compare as text, numbers numerically. */
export type Selector = Record<string, string | number | boolean | readonly unknown[]>;

/** Which way is better for a metric: used to pick the best value of a tuned column. */
export type Goal = 'max' | 'min';

export interface MetricSpec {
  /** A name from METRICS (core/claims/metric.ts). */
  name: string;
  /** Curve column for steps_to_target / examples_to_target / curve. */
  column?: string;
  /** Value the curve column must reach (steps_to_target, examples_to_target). */
  target?: number;
  /** Whether the target is reached from below ('above': value >= target) or above ('below': value <= target). */
  reach?: 'above' | 'below';
  /** How the `curve` metric reduces a column over the run's rows (finite values only). */
  reduce?: 'last' | 'mean' | 'min' | 'max';
  /** Overrides the inferred goal. */
  goal?: Goal;
  /** Value a diverged run takes when its metric is not finite; absent = the run lacks data. */
  diverged?: number;
}

/** `above t`: the claim is that the statistic exceeds t; `between [lo, hi]`: it lies in the band. */
export type Expectation = { above: number } | { below: number } | { between: [number, number] };

/**
 * How a 95% interval is made: `t`, Student t over the per-seed values (differences, or each
 * seed's own slope / correlation / fit); `bootstrap`, BCa over seeds, used only from
 * BOOTSTRAP_MIN_SEEDS seeds on (t below that).
 */
export type IntervalChoice = 't' | 'bootstrap';

/**
 * How a verdict's interval was made: the choice, or what the procedure rule (core/stats/procedure.ts)
 * replaced it with: 'sign', the order-statistic interval of the median (diverged runs with imputed
 * values, or a heavily skewed or bimodal sample); 'exact', no interval (every seed the same value).
 */
export type IntervalKind = IntervalChoice | 'sign' | 'exact';

/** Fewer seeds than this make a bootstrap interval too coarse to trust; t is used instead. */
export const BOOTSTRAP_MIN_SEEDS = 10;

export interface BootstrapSpec {
  iterations: number;
  seed: number;
  level: number;
}

interface TestBase {
  /** Filter applied to every run before the groups are formed. */
  where: Selector;
  /** Display names of the groups (keys a, b, a1, ...) used in the verdict's sentence. */
  labels: Record<string, string>;
}

export interface PairedTest extends TestBase {
  kind: 'paired-difference';
  a: Selector;
  b: Selector;
  interval: IntervalChoice;
}

export interface InteractionTest extends TestBase {
  kind: 'interaction';
  a1: Selector;
  a2: Selector;
  b1: Selector;
  b2: Selector;
  interval: IntervalChoice;
}

export interface EquivalenceTest extends TestBase {
  kind: 'equivalence';
  a: Selector;
  b: Selector;
  /** Equivalence margin, > 0, in the metric's units. */
  margin: number;
}

interface TrendBase extends TestBase {
  /** Numeric column on the x axis (e.g. batch_size). */
  x: string;
  /** Within each x cell, keep the value of this column (e.g. lr) whose mean metric over seeds is best. */
  tune?: string;
  /**
   * Which split chooses the tuned value: 'validation' (default) uses the metric's validation
   * counterpart (final_test_acc -> final_val_acc), so the test split only scores; runs without a
   * validation split then give an INCONCLUSIVE verdict. 'test' chooses on the scored data itself.
   */
  tuneOn: 'validation' | 'test';
  interval: IntervalChoice;
}

export interface SlopeTest extends TrendBase {
  kind: 'slope';
  /** What is fitted: the metric, or the tuned column's best value (e.g. the best LR). */
  y: 'metric' | 'tuned';
  xScale: 'log' | 'linear';
  yScale: 'log' | 'linear';
  /** y: tuned: refine each best value by a parabola in log(value) through its grid neighbours. */
  interpolate: 'parabola' | 'none';
}

export interface RankTest extends TrendBase {
  kind: 'rank-correlation';
}

export interface CriticalBatchTest extends TrendBase {
  kind: 'critical-batch';
}

export type ClaimTest = PairedTest | InteractionTest | EquivalenceTest | SlopeTest | RankTest | CriticalBatchTest;

export interface Claim {
  id: string;
  statement: string;
  metric: MetricSpec;
  test: ClaimTest;
  /** Absent only for equivalence, whose margin is the expectation. */
  expect?: Expectation;
  bootstrap: BootstrapSpec;
  /** Paired seeds (per group) a verdict other than INCONCLUSIVE needs; >= 2, default 5. */
  minSeeds: number;
}

/** One run as the evaluator sees it: summary.csv values as text, and curve rows when the metric needs them. */
export interface ClaimRun {
  values: Readonly<Record<string, string>>;
  curve?: readonly Readonly<Record<string, number>>[];
}

export interface Verdict {
  claimId: string;
  statement: string;
  kind: TestKind;
  /** The metric's display name, e.g. final_test_error or steps_to_target(test_acc >= 0.97). */
  metric: string;
  /** What the estimate is, e.g. 'mean paired difference', 'log-log slope', 'B_noise'. */
  statistic: string;
  estimate: number;
  lo: number;
  hi: number;
  /** Coverage of [lo, hi]: 0.95 by default, 0.9 for equivalence (TOST at alpha 0.05). */
  level: number;
  /** 't' (Student t over per-seed values), 'bootstrap' (BCa over seeds, seeded), 'sign' (median, order statistics), 'exact' (identical seeds). */
  interval: IntervalKind;
  /** Seeds that entered the statistic. */
  n: number;
  /** The seeds a verdict needed (the claim's minSeeds). */
  minSeeds: number;
  /**
   * p of the t test behind the verdict, on the per-seed values: two-sided against the
   * threshold (`above`/`below`), intersection-union for a band, TOST for equivalence; p < 0.05
   * iff the t interval is clear of the threshold (inside the band or margin). NaN when n < 2.
   */
  p: number;
  /** Holm-adjusted p over the claims of one spec (= p for a single claim). */
  pHolm: number;
  /**
   * Minimal detectable effect in the metric's units: the distance from the threshold (or 0)
   * that a two-sided paired t test at alpha 0.05 finds with 80% power, given the seed spread
   * observed. NaN when n < 2.
   */
  mde: number;
  /** The claimed region, e.g. '> 0', 'in [-1.2, -0.8]', 'within +-0.01'. */
  expect: string;
  verdict: VerdictLabel;
  /** One sentence saying why. */
  reason: string;
  /** Per-statistic extras: group means, fit r2, TOST p, runs left out and why, bootstrap settings. */
  details: Record<string, unknown>;
}

/**
 * The metrics a claim can test: summary.csv columns, values derived from them, and values
 * read off a run's curve. One registry; the schema and the docs derive their lists from it.
 */
import { InternalError } from '../../errors.ts';
import type { ClaimRun, Goal, MetricSpec } from './types.ts';

interface MetricDef {
  /** What the value is, with its unit. */
  describe: string;
  /** Better direction when the spec gives no goal. */
  goal: Goal;
  /** A fraction in [0, 1] (accuracy, error): differences read as percentage points. */
  fraction: boolean;
  /** Needs runs/<id>/curve.csv. */
  curve: boolean;
  value(run: ClaimRun, spec: MetricSpec): number;
}

const num = (run: ClaimRun, column: string): number => {
  const raw = run.values[column];
  if (raw === undefined || raw.trim() === '') return NaN;
  return Number(raw);
};

const column = (name: string, describe: string, goal: Goal, fraction = false): MetricDef => ({
  describe, goal, fraction, curve: false, value: (run) => num(run, name),
});

const error = (of: string, describe: string): MetricDef => ({
  describe, goal: 'min', fraction: true, curve: false, value: (run) => 1 - num(run, of),
});

/** First row where `column` reaches the target; Infinity when it never does (a result, not missing data). */
function firstReached(run: ClaimRun, spec: MetricSpec, at: string): number {
  const col = spec.column ?? 'test_acc';
  const target = spec.target ?? NaN;
  const reach = spec.reach ?? defaultReach(col);
  for (const row of run.curve ?? []) {
    const v = row[col];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (reach === 'above' ? v >= target : v <= target) return row[at] ?? NaN;
  }
  return Infinity;
}

function reduceCurve(run: ClaimRun, spec: MetricSpec): number {
  const col = spec.column ?? '';
  const xs = (run.curve ?? []).map((r) => r[col]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (xs.length === 0) return NaN;
  switch (spec.reduce ?? 'last') {
    case 'last': return xs[xs.length - 1]!;
    case 'min': return Math.min(...xs);
    case 'max': return Math.max(...xs);
    case 'mean': return xs.reduce((s, x) => s + x, 0) / xs.length;
  }
}

export const METRICS = {
  final_test_acc: column('final_test_acc', 'test accuracy at the end of training (fraction)', 'max', true),
  final_train_acc: column('final_train_acc', 'train accuracy at the end of training (fraction)', 'max', true),
  best_test_acc: column('best_test_acc', 'best test accuracy over the evaluations (fraction)', 'max', true),
  final_test_loss: column('final_test_loss', 'test loss at the end of training', 'min'),
  final_train_loss: column('final_train_loss', 'train loss at the end of training', 'min'),
  gen_gap_loss: column('gen_gap_loss', 'test loss - train loss at the end', 'min'),
  gen_gap_acc: column('gen_gap_acc', 'train accuracy - test accuracy at the end (fraction)', 'min', true),
  wall_s: column('wall_s', 'wall time of the run, seconds', 'min'),
  samples_per_s: column('samples_per_s', 'training throughput, examples per second', 'max'),
  steps: column('steps', 'optimizer updates made', 'min'),
  examples_seen: column('examples_seen', 'training examples seen', 'min'),
  lr: column('lr', 'peak learning rate after the scaling rule', 'max'),
  final_test_error: error('final_test_acc', '1 - final_test_acc (fraction)'),
  final_train_error: error('final_train_acc', '1 - final_train_acc (fraction)'),
  best_test_error: error('best_test_acc', '1 - best_test_acc (fraction)'),
  epoch_time_s: {
    describe: 'wall_s / epochs: seconds per pass over the train set', goal: 'min', fraction: false, curve: false,
    value: (run) => num(run, 'wall_s') / num(run, 'epochs'),
  },
  steps_to_target: {
    describe: 'first curve step at which `column` (default test_acc) reaches `target`; Infinity if never',
    goal: 'min', fraction: false, curve: true, value: (run, spec) => firstReached(run, spec, 'step'),
  },
  examples_to_target: {
    describe: 'examples seen when `column` first reaches `target`; Infinity if never',
    goal: 'min', fraction: false, curve: true, value: (run, spec) => firstReached(run, spec, 'examples_seen'),
  },
  curve: {
    describe: "a curve column (e.g. grad_var) reduced over the run's rows by `reduce` (last | mean | min | max)",
    goal: 'min', fraction: false, curve: true, value: reduceCurve,
  },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

/** Metrics that need a target, and those that read a curve column. */
export const TARGET_METRICS: readonly MetricName[] = ['steps_to_target', 'examples_to_target'];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

function def(spec: MetricSpec): MetricDef {
  if (!isMetricName(spec.name)) throw new InternalError(`unknown metric ${spec.name}`); // the claim schema refuses unknown names
  return METRICS[spec.name];
}

/** Default reach for a target: accuracies are reached from below, losses and the rest from above. */
export function defaultReach(column: string): 'above' | 'below' {
  return /acc$/.test(column) ? 'above' : 'below';
}

export function metricGoal(spec: MetricSpec): Goal {
  if (spec.goal) return spec.goal;
  if (spec.name === 'curve') return defaultReach(spec.column ?? '') === 'above' ? 'max' : 'min';
  return def(spec).goal;
}

export function metricIsFraction(spec: MetricSpec): boolean {
  if (spec.name === 'curve') return /acc$/.test(spec.column ?? '');
  return def(spec).fraction;
}

export function metricNeedsCurve(spec: MetricSpec): boolean {
  return def(spec).curve;
}

/** e.g. 'final_test_error', 'steps_to_target(test_acc >= 0.97)', 'curve(grad_var, last)'. */
export function metricLabel(spec: MetricSpec): string {
  if (spec.name === 'curve') return `curve(${spec.column}, ${spec.reduce ?? 'last'})`;
  if (spec.name === 'steps_to_target' || spec.name === 'examples_to_target') {
    const col = spec.column ?? 'test_acc';
    return `${spec.name}(${col} ${(spec.reach ?? defaultReach(col)) === 'above' ? '>=' : '<='} ${spec.target})`;
  }
  return spec.name;
}

/**
 * The metric of one run, before any decision about its status: NaN when the inputs are
 * missing; Infinity for a target never reached.
 */
export function metricValue(run: ClaimRun, spec: MetricSpec): number {
  return def(spec).value(run, spec);
}

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
  final_val_acc: column('final_val_acc', 'validation accuracy at the end of training (fraction; data.validationSize)', 'max', true),
  best_val_acc: column('best_val_acc', 'best validation accuracy over the evaluations (fraction)', 'max', true),
  final_val_loss: column('final_val_loss', 'validation loss at the end of training', 'min'),
  final_val_error: error('final_val_acc', '1 - final_val_acc (fraction)'),
  best_val_error: error('best_val_acc', '1 - best_val_acc (fraction)'),
  epoch_time_s: {
    describe: 'wall_s / epochs: seconds per pass over the train set, start-up, evaluation and measurements included', goal: 'min', fraction: false, curve: false,
    value: (run) => num(run, 'wall_s') / num(run, 'epochs'),
  },
  train_s: column('train_s', 'seconds in optimizer steps (evaluation, measurements and start-up excluded)', 'min'),
  epoch_train_s: {
    describe: 'train_s / epochs: training seconds per pass over the train set', goal: 'min', fraction: false, curve: false,
    value: (run) => num(run, 'train_s') / num(run, 'epochs'),
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

/** Test-set metrics and the validation metric that stands in for each when a hyperparameter is chosen. */
const VALIDATION_OF: Partial<Record<MetricName, MetricName>> = {
  final_test_acc: 'final_val_acc',
  final_test_error: 'final_val_error',
  final_test_loss: 'final_val_loss',
  best_test_acc: 'best_val_acc',
  best_test_error: 'best_val_error',
};

/** Metrics that read the test split but have no validation counterpart (they cannot choose a hyperparameter honestly). */
const TEST_ONLY: readonly MetricName[] = ['gen_gap_loss', 'gen_gap_acc'];

/** Curve columns of the test split and their validation counterparts. */
const VALIDATION_COLUMN_OF: Record<string, string> = { test_acc: 'val_acc', test_loss: 'val_loss' };

/**
 * The metric a tuned hyperparameter (e.g. the LR) is chosen by, so that the choice never looks
 * at the test split: a test metric's validation counterpart (final_test_acc -> final_val_acc;
 * steps_to_target on test_acc -> on val_acc). `readsTest` is false for metrics that read no
 * test data (train loss, steps, times): they choose by themselves. `spec` is null for a test
 * metric without a counterpart (the generalisation gaps).
 */
export function selectionMetric(spec: MetricSpec): { spec: MetricSpec | null; readsTest: boolean } {
  if (!isMetricName(spec.name)) throw new InternalError(`unknown metric ${spec.name}`);
  const counterpart = VALIDATION_OF[spec.name];
  if (counterpart) return { spec: { ...spec, name: counterpart }, readsTest: true };
  if ((TEST_ONLY as readonly string[]).includes(spec.name)) return { spec: null, readsTest: true };
  if (spec.name === 'curve' || (TARGET_METRICS as readonly string[]).includes(spec.name)) {
    const col = spec.column ?? (spec.name === 'curve' ? '' : 'test_acc');
    const val = VALIDATION_COLUMN_OF[col];
    if (val) return { spec: { ...spec, column: val }, readsTest: true };
    if (/^test_/.test(col)) return { spec: null, readsTest: true };
  }
  return { spec, readsTest: false };
}

/**
 * The metric of one run, before any decision about its status: NaN when the inputs are
 * missing; Infinity for a target never reached.
 */
export function metricValue(run: ClaimRun, spec: MetricSpec): number {
  return def(spec).value(run, spec);
}

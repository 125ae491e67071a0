/**
 * The columns of the result CSVs, each listed once. Columns are appended over time, never
 * renamed. summary.csv's fixed columns come from SUMMARY_FIELDS: how each is written from a
 * run record, and the key it is read back into (RunSummary).
 */
import type { RunRecord } from './run-record.ts';
import type { RunStatus } from '../train/types.ts';

/** Column order of curve.csv. */
export const CURVE_COLUMNS = [
  'step', 'epoch', 'examples_seen', 'batch_size', 'lr', 'train_loss', 'train_eval_loss',
  'train_eval_acc', 'test_loss', 'test_acc', 'wall_ms',
] as const;

/** Column order of step-losses.csv: one row per optimizer step (train_loss: that step's mean per-example loss). */
export const STEP_LOSS_COLUMNS = ['step', 'examples_seen', 'train_loss'] as const;

/** Appended to curve.csv when the run measures gradient statistics (train.noiseScale / gradVariance). */
export const GRAD_STATS_COLUMNS = ['grad_norm_sq', 'trace_sigma', 'noise_scale', 'grad_var', 'grad_var_iid'] as const;

/** Appended to curve.csv (after any gradient statistics) when the run has a validation split (data.validationSize). */
export const VALIDATION_COLUMNS = ['val_loss', 'val_acc'] as const;

type SummaryValue = string | number | null;
const gap = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

interface SummaryColumnSpec {
  column: string;
  kind: 'text' | 'number' | 'status';
  added?: true;
  write: (r: RunRecord) => SummaryValue;
}

/** snake_case -> camelCase, in the type and at run time: a column's key in RunSummary. */
type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
const camelCase = <S extends string>(s: S) => s.replace(/_(.)/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;

/**
 * summary.csv's fixed columns in order. `kind` is how the reader types the value (numbers are
 * NaN when empty); `added` marks columns introduced after the first summaries were written:
 * older files lack them, so readers take them when present (NaN otherwise).
 */
const SUMMARY_COLUMN_SPECS = [
  { column: 'run_id', kind: 'text', write: (r) => r.run_id },
  { column: 'status', kind: 'status', write: (r) => r.status },
  { column: 'batch_size', kind: 'number', write: (r) => r.meta.batchSize },
  { column: 'base_lr', kind: 'number', write: (r) => r.meta.baseLr },
  // the peak LR after the scaling rule
  { column: 'lr', kind: 'number', write: (r) => r.meta.lr },
  { column: 'scaling_rule', kind: 'text', write: (r) => r.meta.scalingRule },
  { column: 'seed', kind: 'number', write: (r) => r.meta.seed },
  { column: 'steps', kind: 'number', write: (r) => r.final.steps },
  { column: 'epochs', kind: 'number', write: (r) => r.final.epochs },
  { column: 'examples_seen', kind: 'number', write: (r) => r.final.examples_seen },
  { column: 'final_train_loss', kind: 'number', write: (r) => r.final.train_loss },
  { column: 'final_train_acc', kind: 'number', write: (r) => r.final.train_acc },
  { column: 'final_test_loss', kind: 'number', write: (r) => r.final.test_loss },
  { column: 'final_test_acc', kind: 'number', write: (r) => r.final.test_acc },
  { column: 'gen_gap_loss', kind: 'number', write: (r) => gap(r.final.test_loss, r.final.train_loss) },
  { column: 'gen_gap_acc', kind: 'number', write: (r) => gap(r.final.train_acc, r.final.test_acc) },
  { column: 'best_test_acc', kind: 'number', write: (r) => r.final.best_test_acc },
  { column: 'wall_s', kind: 'number', write: (r) => r.timings.wall_s },
  { column: 'samples_per_s', kind: 'number', write: (r) => r.timings.samples_per_s },
  { column: 'backend', kind: 'text', write: (r) => r.environment.backend ?? '' },
  // train.preciseBn only: metrics with recomputed BatchNorm statistics
  { column: 'precise_bn_train_acc', kind: 'number', added: true, write: (r) => r.final.precise_bn_train_acc ?? null },
  { column: 'precise_bn_test_loss', kind: 'number', added: true, write: (r) => r.final.precise_bn_test_loss ?? null },
  { column: 'precise_bn_test_acc', kind: 'number', added: true, write: (r) => r.final.precise_bn_test_acc ?? null },
  // data.validationSize only: the validation split's metrics (hyperparameters are chosen on these)
  { column: 'final_val_loss', kind: 'number', added: true, write: (r) => r.final.val_loss ?? null },
  { column: 'final_val_acc', kind: 'number', added: true, write: (r) => r.final.val_acc ?? null },
  { column: 'best_val_acc', kind: 'number', added: true, write: (r) => r.final.best_val_acc ?? null },
  // examples in the validation split (0 without one)
  { column: 'val_size', kind: 'number', added: true, write: (r) => r.config?.data?.validationSize ?? 0 },
  // seconds in optimizer steps: wall time less evaluation, measurements and start-up
  { column: 'train_s', kind: 'number', added: true, write: (r) => r.timings?.train_s ?? null },
] as const satisfies readonly SummaryColumnSpec[];

type WithKeys<T extends readonly SummaryColumnSpec[]> = {
  readonly [I in keyof T]: T[I] extends { column: infer C extends string } ? T[I] & { key: CamelCase<C> } : T[I];
};

/** SUMMARY_COLUMN_SPECS, each with `key`, the column's name in RunSummary (camelCase). */
export const SUMMARY_FIELDS = SUMMARY_COLUMN_SPECS.map((f) => ({ ...f, key: camelCase(f.column) })) as unknown as WithKeys<typeof SUMMARY_COLUMN_SPECS>;

type SummaryField = (typeof SUMMARY_FIELDS)[number];

/** Columns written to every new summary.csv, before the sweep's design columns (arm, axes). */
export const SUMMARY_COLUMNS = SUMMARY_FIELDS.map((f) => f.column);

/** Columns every summary.csv has; readers require them. */
export const REQUIRED_SUMMARY_COLUMNS = SUMMARY_FIELDS.filter((f) => !('added' in f)).map((f) => f.column);

/**
 * One summary.csv row, typed (from SUMMARY_FIELDS). Missing or non-finite numbers are NaN
 * (e.g. acc for regression). `axes`: the design columns (arm, axes by dotted path), as written.
 */
export type RunSummary = {
  [F in SummaryField as F['key']]: F['kind'] extends 'number' ? number : F['kind'] extends 'status' ? RunStatus : string;
} & { line: number; axes: Record<string, string> };

/** The axis columns (arm, sweep axes by dotted path) of a summary's header: every column batchlab does not write itself. */
export function axisColumnsOf(columns: readonly string[]): string[] {
  const own = new Set<string>(SUMMARY_COLUMNS);
  return columns.filter((c) => !own.has(c));
}

/** One summary.csv row: the fixed columns, then each axis by its dotted path (objects as JSON). */
export function summaryRow(r: RunRecord): Record<string, SummaryValue> {
  return {
    ...Object.fromEntries(SUMMARY_FIELDS.map((f) => [f.column, f.write(r)])),
    ...Object.fromEntries(Object.entries(r.meta.axes).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : (v as string | number)])),
  };
}

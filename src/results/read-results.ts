/**
 * Typed views of a results folder (sweep.json, summary.csv, runs/<id>/{curve.csv,run.json}),
 * read through layout.ts. Every malformed input is a UsageError naming the file and line, so
 * the CLI can exit 2.
 */
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import type { RunStatus } from '../train/types.ts';
import { CURVE_COLUMNS, STEP_LOSS_COLUMNS, SUMMARY_FIELDS, axisColumnsOf, type RunSummary } from './columns.ts';
import { failAt, parseCsvNumber, requireColumns, type CsvRow, type CsvTable } from './csv.ts';
import { readRunJson, readSummary, readSweepJson, runDirOf } from './layout.ts';
import { readCurveTable, readStepLossesTable } from './curve-files.ts';

export type { RunSummary } from './columns.ts';

/** A compare input: label is the results folder's name (the parent's, for a summary.csv path). */
export async function readCompareInput(input: string): Promise<{ label: string; file: string; rows: CsvRow[] }> {
  const table = await readSummary(input);
  // Every row must read as a run (known status, numeric columns numbers): a row keyed `sixteen` is refused, not grouped.
  toRunSummaries(table);
  const dir = dirname(resolve(table.file));
  return { label: basename(dir), file: table.file, rows: table.rows };
}

const STATUSES: readonly RunStatus[] = ['completed', 'diverged', 'failed', 'aborted'];

/** One curve.csv row; evaluation columns are NaN on rows without an evaluation. */
export interface CurvePoint {
  step: number;
  epoch: number;
  examplesSeen: number;
  batchSize: number;
  lr: number;
  trainLoss: number;
  trainEvalLoss: number;
  trainEvalAcc: number;
  testLoss: number;
  testAcc: number;
  wallMs: number;
  /** B_simple measured at this step (train.noiseScale); NaN when not measured. */
  noiseScale: number;
  /** Validation metrics (data.validationSize); NaN on rows without an evaluation and in runs without a validation split. */
  valLoss: number;
  valAcc: number;
}

/** One step-losses.csv row: an optimizer step's mean per-example training loss. */
export interface StepLossPoint {
  step: number;
  examplesSeen: number;
  trainLoss: number;
}

export interface SweepInfo {
  name: string;
  spec: unknown;
  environment: Record<string, unknown>;
  axes: string[];
}

export interface RunResult {
  summary: RunSummary;
  curve: CurvePoint[];
  /** Every step's training loss (step-losses.csv); empty or absent when the run has none. */
  stepLosses?: StepLossPoint[];
  /** run.json as stored (absent when the file is missing). */
  record?: Record<string, unknown>;
  error?: string;
}

export interface ResultsData {
  dir: string;
  sweep: SweepInfo;
  runs: RunResult[];
}

/** Every row of a summary.csv, typed (the columns SUMMARY_FIELDS lists, then the design columns). */
export function toRunSummaries(table: CsvTable): RunSummary[] {
  const axisColumns = axisColumnsOf(table.columns);
  return table.rows.map((row) => toRunSummary(row, table.file, axisColumns));
}

function toRunSummary(row: CsvRow, file: string, axisColumns: string[]): RunSummary {
  const v = row.values;
  const status = v.status as RunStatus;
  if (!STATUSES.includes(status)) failAt(file, row.line, `column status: expected one of ${STATUSES.join('|')}, got ${JSON.stringify(v.status)}`);
  if (!v.run_id) failAt(file, row.line, 'column run_id is empty');
  if (/[\\/]|^\.\.?$/.test(v.run_id!)) failAt(file, row.line, `column run_id: not a plain directory name: ${JSON.stringify(v.run_id)}`);
  const fields = SUMMARY_FIELDS.map((f) => {
    const raw = v[f.column];
    if (f.kind !== 'number') return [f.key, raw!];
    return [f.key, raw === undefined ? NaN : parseCsvNumber(raw, file, row.line, f.column)]; // only columns older summaries lack are absent
  });
  return {
    line: row.line,
    ...Object.fromEntries(fields),
    axes: Object.fromEntries(axisColumns.map((c) => [c, v[c]!])),
  } as RunSummary;
}

/** curve.csv rows as points (extra trailing columns are ignored). */
export function toCurvePoints(table: CsvTable): CurvePoint[] {
  requireColumns(table, CURVE_COLUMNS);
  const file = table.file;
  return table.rows.map((r) => {
    const n = (c: string) => parseCsvNumber(r.values[c]!, file, r.line, c);
    const optional = (c: string) => (r.values[c] === undefined ? NaN : n(c)); // columns only some runs write
    return {
      step: n('step'),
      epoch: n('epoch'),
      examplesSeen: n('examples_seen'),
      batchSize: n('batch_size'),
      lr: n('lr'),
      trainLoss: n('train_loss'),
      trainEvalLoss: n('train_eval_loss'),
      trainEvalAcc: n('train_eval_acc'),
      testLoss: n('test_loss'),
      testAcc: n('test_acc'),
      wallMs: n('wall_ms'),
      noiseScale: optional('noise_scale'),
      valLoss: optional('val_loss'),
      valAcc: optional('val_acc'),
    };
  });
}

/** step-losses.csv rows as points. */
export function toStepLossPoints(table: CsvTable): StepLossPoint[] {
  requireColumns(table, STEP_LOSS_COLUMNS);
  const file = table.file;
  return table.rows.map((r) => ({
    step: parseCsvNumber(r.values.step!, file, r.line, 'step'),
    examplesSeen: parseCsvNumber(r.values.examples_seen!, file, r.line, 'examples_seen'),
    trainLoss: parseCsvNumber(r.values.train_loss!, file, r.line, 'train_loss'),
  }));
}

/**
 * Reads a whole results folder. A run without curve.csv (e.g. failed before its first row)
 * gets an empty curve, without step-losses.csv no step losses; without run.json, no record.
 */
export async function readResultsDir(dir: string): Promise<ResultsData> {
  const { file: sweepFile, raw: parsed } = await readSweepJson(dir);
  const raw = parsed as { name?: unknown; spec?: unknown; environment?: unknown; axes?: unknown } | null;
  if (!raw || typeof raw !== 'object') throw new UsageError(`${sweepFile}: expected a JSON object`, [{ path: sweepFile, message: 'expected an object' }]);
  const summary = await readSummary(dir);
  const axisColumns = axisColumnsOf(summary.columns);
  const sweep: SweepInfo = {
    name: typeof raw.name === 'string' ? raw.name : basename(resolve(dir)),
    spec: raw.spec ?? null,
    environment: raw.environment && typeof raw.environment === 'object' ? (raw.environment as Record<string, unknown>) : {},
    axes: Array.isArray(raw.axes) ? raw.axes.map(String) : axisColumns,
  };
  const runs = await Promise.all(
    toRunSummaries(summary).map(async (s): Promise<RunResult> => {
      const runDir = runDirOf(dir, s.runId);
      const table = await readCurveTable(runDir);
      const curve = table ? toCurvePoints(table) : [];
      const stepTable = await readStepLossesTable(runDir);
      const stepLosses = stepTable ? toStepLossPoints(stepTable) : [];
      const record = await readRunJson(runDir);
      const error = record && typeof record.error === 'string' ? record.error : undefined;
      return { summary: s, curve, stepLosses, ...(record ? { record } : {}), ...(error ? { error } : {}) };
    }),
  );
  return { dir, sweep, runs };
}

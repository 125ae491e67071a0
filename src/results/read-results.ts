/**
 * Readers for a results directory (sweep.json, summary.csv, runs/<id>/{curve.csv,run.json}).
 * Every malformed input is a UsageError naming the file and line, so the CLI can exit 2.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { CURVE_COLUMNS, REQUIRED_SUMMARY_COLUMNS, designColumns } from './columns.ts';

/** One CSV record: its 1-based line number in the file and its values by column name. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

export interface CsvTable {
  file: string;
  columns: string[];
  rows: CsvRow[];
}

function fail(file: string, line: number, message: string): never {
  throw new UsageError(`${file}:${line}: ${message}`, [{ path: `${file}:${line}`, message }]);
}

/**
 * RFC 4180 CSV: comma separated, CRLF or LF records, double-quoted fields may hold commas,
 * newlines and doubled quotes. The first record is the header; blank lines are skipped.
 * Every record must have as many fields as the header.
 */
export function parseCsv(text: string, file: string): CsvTable {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let afterQuote = false; // just closed a quoted field: only a separator may follow
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !afterQuote)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    afterQuote = false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && field === '' && !afterQuote) {
      const openLine = line;
      i++;
      for (;;) {
        if (i >= text.length) fail(file, openLine, 'unterminated quoted field');
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      afterQuote = true;
      continue;
    }
    if (ch === ',') { fields.push(field); field = ''; afterQuote = false; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') i++;
    if (ch === '\n' || ch === '\r') {
      endRecord();
      line++;
      recordLine = line;
      i++;
      continue;
    }
    if (afterQuote) fail(file, line, `unexpected character ${JSON.stringify(ch)} after a closing quote`);
    field += ch;
    i++;
  }
  if (field !== '' || fields.length > 0 || afterQuote) endRecord();
  if (records.length === 0) fail(file, 1, 'empty file: expected a header row');
  const [header, ...body] = records;
  const columns = header!.fields;
  const rows = body.map(({ line: l, fields: f }) => {
    if (f.length !== columns.length) fail(file, l, `expected ${columns.length} fields (as in the header), got ${f.length}`);
    return { line: l, values: Object.fromEntries(columns.map((c, k) => [c, f[k]!])) };
  });
  return { file, columns, rows };
}

/** Throws naming the file (line 1, the header) unless every listed column is present. */
export function requireColumns(table: CsvTable, needed: readonly string[]): void {
  const missing = needed.filter((c) => !table.columns.includes(c));
  if (missing.length) fail(table.file, 1, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read ${what} (${code ?? String(e)})`, [{ path: file, message: `cannot read ${what}` }]);
  }
}

/** `input` is a results directory or a path to its summary.csv; returns the summary.csv path. */
export async function resolveSummaryPath(input: string): Promise<string> {
  const s = await stat(input).catch(() => null);
  if (!s) throw new UsageError(`${input}: no such file or directory`, [{ path: input, message: 'not found' }]);
  return s.isDirectory() ? join(input, 'summary.csv') : input;
}

/** Reads and checks a summary.csv (all fixed columns present, consistent field counts). */
export async function readSummary(input: string): Promise<CsvTable> {
  const file = await resolveSummaryPath(input);
  const table = parseCsv(await readText(file, 'summary.csv'), file);
  requireColumns(table, REQUIRED_SUMMARY_COLUMNS);
  return table;
}

/** A compare input: label is the results directory's name (the parent's, for a summary.csv path). */
export async function readCompareInput(input: string): Promise<{ label: string; file: string; rows: CsvRow[] }> {
  const table = await readSummary(input);
  // Every row must read as a run (known status, numeric columns numbers): a row keyed `sixteen` is refused, not grouped.
  const axisColumns = designColumns(table.columns);
  for (const row of table.rows) toRunSummary(row, table.file, axisColumns);
  const dir = dirname(resolve(table.file));
  return { label: basename(dir), file: table.file, rows: table.rows };
}

export type RunStatus = 'completed' | 'diverged' | 'failed' | 'aborted';
const STATUSES: readonly RunStatus[] = ['completed', 'diverged', 'failed', 'aborted'];

/** One summary.csv row, typed. Missing or non-finite numbers are NaN (e.g. acc for regression). */
export interface RunSummary {
  line: number;
  runId: string;
  status: RunStatus;
  batchSize: number;
  baseLr: number;
  /** Peak LR after the scaling rule. */
  lr: number;
  scalingRule: string;
  seed: number;
  steps: number;
  epochs: number;
  examplesSeen: number;
  finalTrainLoss: number;
  finalTrainAcc: number;
  finalTestLoss: number;
  finalTestAcc: number;
  genGapLoss: number;
  genGapAcc: number;
  bestTestAcc: number;
  wallS: number;
  samplesPerS: number;
  backend: string;
  /** With train.preciseBn: metrics with recomputed BatchNorm statistics; NaN otherwise. */
  preciseBnTrainAcc: number;
  preciseBnTestLoss: number;
  preciseBnTestAcc: number;
  /** Extra sweep axes by dotted path (columns after the fixed ones), as written. */
  axes: Record<string, string>;
}

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
  /** run.json as stored (absent when the file is missing). */
  record?: Record<string, unknown>;
  error?: string;
}

export interface ResultsData {
  dir: string;
  sweep: SweepInfo;
  runs: RunResult[];
}

/** Parses a CSV number: '' -> NaN, 'NaN'/'Infinity' accepted (a diverged loss), other text throws. */
export function parseCsvNumber(raw: string, file: string, line: number, column: string): number {
  const s = raw.trim();
  if (s === '' || s === 'NaN' || s === 'nan') return NaN;
  if (/^[-+]?(Infinity|inf)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  const x = Number(s);
  if (!Number.isFinite(x)) fail(file, line, `column ${column}: expected a number, got ${JSON.stringify(raw)}`);
  return x;
}

function toRunSummary(row: CsvRow, file: string, axisColumns: string[]): RunSummary {
  const v = row.values;
  const num = (c: string) => parseCsvNumber(v[c]!, file, row.line, c);
  const optional = (c: string) => (v[c] === undefined ? NaN : num(c)); // columns older summaries lack
  const status = v.status as RunStatus;
  if (!STATUSES.includes(status)) fail(file, row.line, `column status: expected one of ${STATUSES.join('|')}, got ${JSON.stringify(v.status)}`);
  if (!v.run_id) fail(file, row.line, 'column run_id is empty');
  if (/[\\/]|^\.\.?$/.test(v.run_id!)) fail(file, row.line, `column run_id: not a plain directory name: ${JSON.stringify(v.run_id)}`);
  return {
    line: row.line,
    runId: v.run_id!,
    status,
    batchSize: num('batch_size'),
    baseLr: num('base_lr'),
    lr: num('lr'),
    scalingRule: v.scaling_rule!,
    seed: num('seed'),
    steps: num('steps'),
    epochs: num('epochs'),
    examplesSeen: num('examples_seen'),
    finalTrainLoss: num('final_train_loss'),
    finalTrainAcc: num('final_train_acc'),
    finalTestLoss: num('final_test_loss'),
    finalTestAcc: num('final_test_acc'),
    genGapLoss: num('gen_gap_loss'),
    genGapAcc: num('gen_gap_acc'),
    bestTestAcc: num('best_test_acc'),
    wallS: num('wall_s'),
    samplesPerS: num('samples_per_s'),
    backend: v.backend!,
    preciseBnTrainAcc: optional('precise_bn_train_acc'),
    preciseBnTestLoss: optional('precise_bn_test_loss'),
    preciseBnTestAcc: optional('precise_bn_test_acc'),
    axes: Object.fromEntries(axisColumns.map((c) => [c, v[c]!])),
  };
}

/** Parses curve.csv text into points (extra trailing columns are ignored). */
export function parseCurve(text: string, file: string): CurvePoint[] {
  const table = parseCsv(text, file);
  requireColumns(table, CURVE_COLUMNS);
  return table.rows.map((r) => {
    const n = (c: string) => parseCsvNumber(r.values[c]!, file, r.line, c);
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
      noiseScale: r.values.noise_scale === undefined ? NaN : n('noise_scale'),
    };
  });
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readText(file, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: invalid JSON (${(e as Error).message})`, [{ path: file, message: 'invalid JSON' }]);
  }
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/**
 * Reads a whole results directory. A run without curve.csv (e.g. failed before its first row)
 * gets an empty curve; without run.json, no record.
 */
export async function readResultsDir(dir: string): Promise<ResultsData> {
  const sweepFile = join(dir, 'sweep.json');
  const raw = (await readJson(sweepFile, 'sweep.json')) as Partial<SweepInfo> | null;
  if (!raw || typeof raw !== 'object') throw new UsageError(`${sweepFile}: expected a JSON object`, [{ path: sweepFile, message: 'expected an object' }]);
  const summary = await readSummary(join(dir, 'summary.csv'));
  const axisColumns = designColumns(summary.columns);
  const sweep: SweepInfo = {
    name: typeof raw.name === 'string' ? raw.name : basename(resolve(dir)),
    spec: raw.spec ?? null,
    environment: raw.environment && typeof raw.environment === 'object' ? (raw.environment as Record<string, unknown>) : {},
    axes: Array.isArray(raw.axes) ? raw.axes.map(String) : axisColumns,
  };
  const runs = await Promise.all(
    summary.rows.map(async (row): Promise<RunResult> => {
      const s = toRunSummary(row, summary.file, axisColumns);
      const runDir = join(dir, 'runs', s.runId);
      const curveFile = join(runDir, 'curve.csv');
      const recordFile = join(runDir, 'run.json');
      const curve = (await exists(curveFile)) ? parseCurve(await readText(curveFile, 'curve.csv'), curveFile) : [];
      const record = (await exists(recordFile)) ? ((await readJson(recordFile, 'run.json')) as Record<string, unknown>) : undefined;
      const error = record && typeof record.error === 'string' ? record.error : undefined;
      return { summary: s, curve, ...(record ? { record } : {}), ...(error ? { error } : {}) };
    }),
  );
  return { dir, sweep, runs };
}

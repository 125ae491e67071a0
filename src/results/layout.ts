/**
 * The one owner of a results folder's layout: where each file lives, how it is read and
 * written, and the schema version stamped into sweep.json and run.json.
 *
 *   <dir>/sweep.json              the spec, its hash, the design columns, the environment
 *   <dir>/summary.csv             one row per finished run (columns: columns.ts)
 *   <dir>/runs/<run_id>/run.json  the run's record (RunRecord), `running` while it trains
 *   <dir>/runs/<run_id>/curve.csv the run's curve (CURVE_COLUMNS), streamed as it trains, cut back to a checkpoint's length on resume
 *   <dir>/runs/<run_id>/step-losses.csv  every step's training loss (STEP_LOSS_COLUMNS), streamed beside curve.csv, cut back to the checkpoint's step on resume
 *   <dir>/runs/<run_id>/checkpoint.bin  the run's training checkpoint (results/checkpoint-store.ts), until it finishes
 *   <dir>/verdicts.csv, verdicts.json   written by verify
 *   <dir>/report.html, charts/    written by report
 *
 * Readers of user-supplied folders throw UsageError naming the file. sweep.json, summary.csv,
 * run.json and the verdicts are replaced atomically; the curve files (curve-files.ts) are appended
 * to as rows come.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write.ts';
import { REQUIRED_SUMMARY_COLUMNS, SUMMARY_COLUMNS, summaryRow } from './columns.ts';
import { parseCsv, renderCsv, requireColumns, type CsvTable, type CsvValue } from './csv.ts';
import type { RunRecord } from './run-record.ts';

/**
 * The version of the layout and of sweep.json/run.json, written into both as `schemaVersion`.
 * Files without it are version 1; a file from a newer batchlab is refused rather than misread.
 */
export const SCHEMA_VERSION = 1;

/** Where a spec's results go without --out: results/<spec name>, relative to the working folder. */
export const defaultResultsDir = (specName: string) => join('results', specName);

/** Paths of the files of a results folder. */
export function resultsPaths(dir: string) {
  return {
    dir,
    sweepJson: join(dir, 'sweep.json'),
    summaryCsv: join(dir, 'summary.csv'),
    runsDir: join(dir, 'runs'),
    verdictsCsv: join(dir, 'verdicts.csv'),
    verdictsJson: join(dir, 'verdicts.json'),
    reportHtml: join(dir, 'report.html'),
    /** The folder of one run. */
    runDir: (runId: string) => join(dir, 'runs', runId),
  };
}

/** Paths of the files of one run's folder (`runs/<run_id>`). */
export function runPaths(runDir: string) {
  return {
    runDir,
    runJson: join(runDir, 'run.json'),
    curveCsv: join(runDir, 'curve.csv'),
    /** Every optimizer step's training loss, one row a step. */
    stepLossesCsv: join(runDir, 'step-losses.csv'),
    /** Where the run's training checkpoint is kept. */
    checkpoint: join(runDir, 'checkpoint.bin'),
  };
}

/** The folder of one run in a results folder. */
export const runDirOf = (dir: string, runId: string) => resultsPaths(dir).runDir(runId);


// --- reading ---------------------------------------------------------------------------------

/** Reads a text file; a missing or unreadable one is a UsageError naming it and `what` it is. */
export async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(`${file}: cannot read ${what} (${code})`, [{ path: file, message: `cannot read ${what} (${code})` }]);
  }
}

/** Parses JSON text; invalid JSON is a UsageError naming the file. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: invalid JSON (${(e as Error).message})`, [{ path: file, message: 'invalid JSON' }]);
  }
}

/** Refuses a sweep.json/run.json written by a newer layout; files without a version are version 1. */
function checkSchemaVersion(value: unknown, file: string): void {
  if (value === null || typeof value !== 'object' || !('schemaVersion' in value)) return;
  const v = (value as { schemaVersion: unknown }).schemaVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > SCHEMA_VERSION) {
    const message = `schemaVersion: expected an integer from 1 to ${SCHEMA_VERSION} (this batchlab's layout), got ${JSON.stringify(v)}`;
    throw new UsageError(`${file}: ${message}`, [{ path: `${file}: schemaVersion`, message }]);
  }
}

const stamp = (value: object) => ({ schemaVersion: SCHEMA_VERSION, ...value });
/** Whether a path exists (any kind of file). */
export const exists = (p: string) => stat(p).then(() => true, () => false);

// --- sweep.json ------------------------------------------------------------------------------

/** What sweep.json holds; readers check what they use, since older or foreign files may lack fields. */
export interface SweepFile {
  schemaVersion?: number;
  name?: unknown;
  spec?: unknown;
  specHash?: string;
  axes?: unknown;
  shard?: unknown;
  runs?: number;
  environment?: unknown;
  /** Every planned run id in plan order (absent in sweep.json written before ids were recorded). */
  runIds?: readonly string[];
  mergedFrom?: string[];
}

/** Reads sweep.json as parsed JSON (any value; callers check its shape). */
export async function readSweepJson(dir: string): Promise<{ file: string; raw: unknown }> {
  const file = resultsPaths(dir).sweepJson;
  const raw = parseJson(await readText(file, 'sweep.json'), file);
  checkSchemaVersion(raw, file);
  return { file, raw };
}

export function writeSweepJson(dir: string, sweep: SweepFile): Promise<void> {
  const { schemaVersion: _old, ...rest } = sweep;
  return writeJsonAtomic(resultsPaths(dir).sweepJson, stamp(rest));
}

// --- runs/<id>/run.json ----------------------------------------------------------------------

/** Creates `<dir>/runs`. */
export async function makeRunsDir(dir: string): Promise<void> {
  await mkdir(resultsPaths(dir).runsDir, { recursive: true });
}

/** The run ids that have a folder under `<dir>/runs`, sorted; none when there is no runs folder. */
export async function listRunIds(dir: string): Promise<string[]> {
  return (await readdir(resultsPaths(dir).runsDir).catch(() => [] as string[])).sort();
}

/** Statuses that count as done: a rerun skips them. failed/aborted/running runs are retried. */
export const FINISHED: ReadonlySet<string> = new Set(['completed', 'diverged']);

/** Writes run.json: the record, or a `running` marker while the run trains. */
export function writeRunRecord(runDir: string, record: RunRecord | (Omit<RunRecord, 'status'> & { status: 'running' })): Promise<void> {
  // A run that is still running is redone whether or not its record survives a power loss.
  return writeJsonAtomic(runPaths(runDir).runJson, stamp(record), { durable: record.status !== 'running' });
}

/**
 * The record of a run that reached an outcome, for resuming and merging: null when run.json is
 * absent, torn or still `running` (the run is redone).
 */
export async function readRunRecord(dir: string, runId: string): Promise<RunRecord | null> {
  const file = runPaths(runDirOf(dir, runId)).runJson;
  let rec: RunRecord | { status: 'running' };
  try {
    rec = JSON.parse(await readFile(file, 'utf8')) as RunRecord | { status: 'running' };
  } catch {
    return null; // absent or torn: the run is redone
  }
  checkSchemaVersion(rec, file);
  return rec.status === 'running' ? null : (rec as RunRecord);
}

/** run.json as stored, for reports (undefined when absent; unreadable or invalid is a UsageError). */
export async function readRunJson(runDir: string): Promise<Record<string, unknown> | undefined> {
  const file = runPaths(runDir).runJson;
  if (!(await exists(file))) return undefined;
  const raw = parseJson(await readText(file, 'run.json'), file);
  checkSchemaVersion(raw, file);
  return raw as Record<string, unknown>;
}

// --- summary.csv -----------------------------------------------------------------------------

/** `input` is a results folder or a path to its summary.csv; returns the summary.csv path. */
export async function resolveSummaryPath(input: string): Promise<string> {
  const s = await stat(input).catch(() => null);
  if (!s) throw new UsageError(`${input}: no such file or directory`, [{ path: input, message: 'not found' }]);
  return s.isDirectory() ? resultsPaths(input).summaryCsv : input;
}

/** Reads and checks a summary.csv (all required columns present, consistent field counts). */
export async function readSummary(input: string): Promise<CsvTable> {
  const file = await resolveSummaryPath(input);
  const table = parseCsv(await readText(file, 'summary.csv'), file);
  requireColumns(table, REQUIRED_SUMMARY_COLUMNS);
  return table;
}

/** summary.csv's text: the fixed columns, then the design columns `axes`, one row per record. */
export function renderSummaryCsv(records: readonly RunRecord[], axes: readonly string[]): string {
  return renderCsv([...SUMMARY_COLUMNS, ...axes], records.map(summaryRow));
}

/** Rewrites `<dir>/summary.csv` atomically. */
export function writeSummary(dir: string, records: readonly RunRecord[], axes: readonly string[]): Promise<void> {
  // An index of the run.json files, rewritten from them at every sweep's start: atomic, not fsynced.
  return writeFileAtomic(resultsPaths(dir).summaryCsv, renderSummaryCsv(records, axes), { durable: false });
}

// --- verdicts.csv, verdicts.json -------------------------------------------------------------

/** Writes verdicts.csv (`columns`, one row per verdict) and verdicts.json; returns both paths. */
export async function writeVerdictFiles(
  dir: string, columns: readonly string[], rows: readonly Record<string, CsvValue>[], json: unknown,
): Promise<[string, string]> {
  const { verdictsCsv, verdictsJson } = resultsPaths(dir);
  await writeFileAtomic(verdictsCsv, renderCsv(columns, rows));
  await writeJsonAtomic(verdictsJson, json);
  return [verdictsCsv, verdictsJson];
}

/** verdicts.json as parsed JSON; `what` describes the file in the error when it cannot be read. */
export async function readVerdictsJson(dir: string, what = 'verdicts.json'): Promise<{ file: string; raw: unknown }> {
  const file = resultsPaths(dir).verdictsJson;
  return { file, raw: parseJson(await readText(file, what), file) };
}

// --- report.html, charts/ --------------------------------------------------------------------

/** Creates the charts folder beside a report file (`<dir of reportFile>/charts`) and returns it. */
export async function makeChartsDir(reportFile: string): Promise<string> {
  const dir = join(dirname(reportFile), 'charts');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes one chart file (`name` with its extension) into the charts folder; returns its path. */
export async function writeChartFile(chartsDir: string, name: string, content: string | Uint8Array): Promise<string> {
  const file = join(chartsDir, name);
  await writeFile(file, content);
  return file;
}

export function writeReportHtml(file: string, html: string): Promise<void> {
  return writeFile(file, html);
}

/**
 * A run's curve files (runs/<id>/curve.csv and step-losses.csv; paths from layout.ts runPaths):
 * streamed as the run trains, cut back to a checkpoint on resume, and read back as tables.
 */
import { open, readFile } from 'node:fs/promises';
import { createObjectCsvWriter } from 'csv-writer';
import type { CurveRow, StepLossRow, TrainObserver } from '../train/types.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { CURVE_COLUMNS, GRAD_STATS_COLUMNS, STEP_LOSS_COLUMNS, VALIDATION_COLUMNS } from './columns.ts';
import { parseCsv, renderCsvHeader, type CsvTable, type CsvValue } from './csv.ts';
import { exists, readText, runPaths } from './layout.ts';

/** The curve writer: an observer of the loop, and where curve.csv ends for a checkpoint. */
export interface CurveWriter extends TrainObserver {
  /**
   * Makes the rows written so far durable (fsync, step-losses.csv too) and returns curve.csv's
   * length in bytes: a checkpoint keeps it, and a run resumed from that checkpoint cuts the file
   * back to it (and step-losses.csv back to the checkpoint's step).
   */
  syncedLength(): Promise<number>;
  /** Waits for every row handed to onRow and onStepLosses to be written (rethrowing a failed write). */
  flush(): Promise<void>;
}

/** Where a resumed run's files are cut back to: curve.csv's length at the checkpoint, and its step. */
export interface CurveResume {
  curveLength: number;
  step: number;
}

/** Appends rows to a CSV file in order, queued: `append` returns at once, `flush` waits (rethrowing a failed write). */
function appendQueue(file: string, columns: readonly string[]) {
  const writer = createObjectCsvWriter({ path: file, header: columns.map((id) => ({ id, title: id })), append: true });
  let queue: Promise<void> = Promise.resolve();
  let failed: unknown = null;
  return {
    append(rows: readonly object[]): void {
      if (failed !== null) throw failed;
      queue = queue.then(() => writer.writeRecords(rows as Record<string, CsvValue>[])).catch((err: unknown) => {
        failed ??= err;
      });
    },
    async flush(): Promise<void> {
      await queue;
      if (failed !== null) throw failed;
    },
  };
}

/**
 * Streams curve rows to `<runDir>/curve.csv` and every step's loss to `<runDir>/step-losses.csv`
 * as training goes. Starts both afresh with their headers, or, for a run resumed from a
 * checkpoint, cuts curve.csv back to `resume.curveLength` bytes and step-losses.csv back to the
 * rows up to `resume.step` (rows written after the checkpoint and a torn last line go, so no step
 * is missing or repeated; check with resumeProblem first), then appends what the observer is given.
 * Appends are queued in order and not waited for by the training loop (onRow returns at once);
 * `flush` and `syncedLength` wait for them, and a failed append is rethrown by the next call.
 */
export async function openCurveWriter(runDir: string, withGradStats = false, resume?: CurveResume, withValidation = false): Promise<CurveWriter> {
  const { curveCsv: file, stepLossesCsv } = runPaths(runDir);
  const columns = [...CURVE_COLUMNS, ...(withGradStats ? GRAD_STATS_COLUMNS : []), ...(withValidation ? VALIDATION_COLUMNS : [])];
  // The headers first, so even a run that fails at once leaves readable files.
  if (resume === undefined) {
    // Headers only: a run without a checkpoint starts over, rewriting them (not fsynced).
    await writeFileAtomic(file, renderCsvHeader(columns), { durable: false });
    await writeFileAtomic(stepLossesCsv, renderCsvHeader(STEP_LOSS_COLUMNS), { durable: false });
  } else {
    await cutFile(file, resume.curveLength);
    await cutFile(stepLossesCsv, (await stepLossesEnd(stepLossesCsv, resume.step)).length!);
  }
  const curve = appendQueue(file, columns);
  const steps = appendQueue(stepLossesCsv, STEP_LOSS_COLUMNS);
  const flush = async () => {
    await curve.flush();
    await steps.flush();
  };
  return {
    onStepLosses: (rows: StepLossRow[]) => steps.append(rows),
    onRow: (row: CurveRow) => curve.append([row]),
    flush,
    syncedLength: async () => {
      await flush();
      await syncFile(stepLossesCsv);
      return syncFile(file);
    },
  };
}

/** fsyncs a file and returns its length in bytes. */
async function syncFile(file: string): Promise<number> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}

/**
 * Why a run cannot resume from a checkpoint at `step` whose curve.csv was `curveLength` bytes, or
 * null when it can: curve.csv must reach that length at a line end (curveCutProblem), and
 * step-losses.csv must hold every step up to `step`.
 */
export async function resumeProblem(runDir: string, resume: CurveResume): Promise<string | null> {
  return (await curveCutProblem(runDir, resume.curveLength)) ?? (await stepLossesEnd(runPaths(runDir).stepLossesCsv, resume.step)).problem;
}

/**
 * Where step-losses.csv's rows up to `step` end (in bytes), or why they cannot: the file is
 * missing, or its rows are not steps 1, 2, ... up to `step` on whole lines. Rows are written in
 * step order and made durable with curve.csv at every checkpoint, so a good file holds them all.
 */
async function stepLossesEnd(file: string, step: number): Promise<{ length?: number; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(file, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { problem: `${file} is missing` };
    throw err;
  }
  let end = text.indexOf('\n') + 1; // after the header
  if (end === 0) return { problem: `${file} has no header line` };
  for (let expected = 1; expected <= step; expected++) {
    const lineEnd = text.indexOf('\n', end);
    const first = lineEnd < 0 ? NaN : Number(text.slice(end, text.indexOf(',', end)));
    if (first !== expected) return { problem: `${file} does not hold step ${expected} on a whole line, below the checkpoint's step ${step}` };
    end = lineEnd + 1;
  }
  return { length: end, problem: null };
}

/**
 * Why `<runDir>/curve.csv` cannot be cut back to `length` bytes (it is missing, shorter, or
 * `length` does not end a line), or null when it can. A checkpoint whose curve is gone cannot
 * be resumed: its rows up to the checkpoint would be missing.
 */
export async function curveCutProblem(runDir: string, length: number): Promise<string | null> {
  const file = runPaths(runDir).curveCsv;
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${file} is missing`;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    if (size < length) return `${file} has ${size} bytes, the checkpoint's curve ${length}`;
    const last = Buffer.alloc(1);
    if (length < 1 || (await fh.read(last, 0, 1, length - 1)).bytesRead !== 1 || last[0] !== 0x0a) {
      return `${file} has no line end at byte ${length}, where the checkpoint's curve ends`;
    }
    return null;
  } finally {
    await fh.close();
  }
}

async function cutFile(file: string, length: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.truncate(length);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A run's curve.csv as a table, or null when the run has none. */
export async function readCurveTable(runDir: string): Promise<CsvTable | null> {
  const file = runPaths(runDir).curveCsv;
  if (!(await exists(file))) return null; // a run that failed before its first row has no curve
  return parseCsv(await readText(file, 'curve.csv'), file);
}

/** A run's step-losses.csv as a table, or null when the run has none (written before batchlab recorded every step). */
export async function readStepLossesTable(runDir: string): Promise<CsvTable | null> {
  const file = runPaths(runDir).stepLossesCsv;
  if (!(await exists(file))) return null;
  return parseCsv(await readText(file, 'step-losses.csv'), file);
}

/** Where runs live in a results dir, and which of them are finished (for resuming). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord } from './run-record.ts';

/** Statuses that count as done: a rerun skips them. failed/aborted/running runs are retried. */
export const FINISHED = new Set(['completed', 'diverged']);

export const runDirOf = (outDir: string, runId: string) => join(outDir, 'runs', runId);

export async function readRunRecord(outDir: string, runId: string): Promise<RunRecord | null> {
  try {
    const rec = JSON.parse(await readFile(join(runDirOf(outDir, runId), 'run.json'), 'utf8')) as RunRecord | { status: 'running' };
    return rec.status === 'running' ? null : (rec as RunRecord);
  } catch {
    return null; // absent or torn: the run is redone
  }
}

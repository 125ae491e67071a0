/**
 * Writes a file so readers see either the old or the new content, never a torn one:
 * write-file-atomic writes a temporary file beside it, fsyncs it, renames it over the target
 * and removes the temporary file when anything fails. The folder is fsynced after the rename
 * so the new name itself survives a crash. Files that are rebuilt when they are stale (summary.csv,
 * a run's "running" run.json and empty curve files, all rewritten by the next sweep) are written
 * with `durable: false`: still atomic, without the two fsyncs (a median 7-13 ms a write on this
 * machine's disk under load, 2-3 ms quiet, against 1-2 ms; scripts/probes/fsync-cost.ts). Temporary names come from a hash of the pid and a
 * counter, not Math.random, which a run's dropout masks draw from: a write must not shift them.
 */
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

async function fsyncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a folder (EINVAL/EISDIR/EPERM); the file itself is synced.
  } finally {
    await handle?.close();
  }
}

export interface AtomicWriteOptions {
  /** false: atomic, but not fsynced (for files rebuilt when stale). Default true. */
  durable?: boolean;
}

export async function writeFileAtomic(file: string, content: string, { durable = true }: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomicLib(file, content, { fsync: durable });
  if (durable) await fsyncFolder(dirname(file));
}

export function writeJsonAtomic(file: string, value: unknown, options?: AtomicWriteOptions): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, options);
}

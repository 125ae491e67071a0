/**
 * One writer per results folder: `sweep`, `run` and `merge --out` hold a lock on their output
 * folder for as long as they write to it, so two processes never run the same runs or interleave
 * summary.csv. The lock is proper-lockfile's `<folder>/.batchlab-lock` directory, whose mtime the
 * holder refreshes every `update` ms; a lock not refreshed for `stale` ms (its holder was
 * SIGKILLed, or its machine died) is taken over by the next process. A holder on this host whose
 * process is gone is taken over sooner, once its lock is 2 s old (a kill and an immediate rerun
 * wait seconds, not the stale time). Who holds it (pid, host,
 * since when, which command) is written beside it, in `<folder>/.batchlab-lock.json`, for the
 * message the next process prints. Worker processes are children of the holder and take no lock.
 */
import { mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { UsageError, refusedWriteError } from '../errors.ts';

export const LOCK_DIR = '.batchlab-lock';
export const HOLDER_FILE = '.batchlab-lock.json';

/** A lock not refreshed for this long is taken over (ms). BATCHLAB_LOCK_STALE_MS overrides it (at least 2000). */
export const DEFAULT_STALE_MS = 30_000;
/** How often the holder refreshes its lock (ms): a sixth of the stale time, at most 5 s. */
const updateMsFor = (staleMs: number) => Math.max(1000, Math.min(5000, Math.floor(staleMs / 6)));

/** Who holds a folder's lock, as written in `.batchlab-lock.json`. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string; // ISO 8601
  command: string;
}

export interface FolderLock {
  /** Releases the lock and removes the holder file; safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Where the folder's path came from, for messages (`--out`, or `name` for results/<name>). */
  flag: string;
  /** What this process does there, recorded for the next process (e.g. `sweep tiny`). */
  command: string;
  /** Stale time in ms (the CLI passes lockStaleMs of its environment); default 30 s. */
  staleMs?: number;
  /** Called if the lock could not be refreshed in time (another process may now take it over). */
  onLost?: (err: Error) => void;
}

/** The stale time an environment asks for: BATCHLAB_LOCK_STALE_MS if set to a number >= 2000, else 30 s. */
export function lockStaleMs(env: Readonly<Record<string, string | undefined>>): number {
  const v = Number(env['BATCHLAB_LOCK_STALE_MS']);
  return Number.isFinite(v) && v >= 2000 ? Math.floor(v) : DEFAULT_STALE_MS;
}

/**
 * Creates `dir` if needed and locks it. Throws a UsageError (exit 2) naming the folder and its
 * holder when another live process holds it, and an EnvironmentError (exit 1) when the folder
 * cannot be written (read-only, full disk).
 */
export async function lockFolder(dir: string, o: LockOptions): Promise<FolderLock> {
  const staleMs = o.staleMs ?? DEFAULT_STALE_MS;
  const take = () => lockfile.lock(dir, {
    lockfilePath: join(dir, LOCK_DIR),
    stale: staleMs,
    update: updateMsFor(staleMs),
    realpath: false,
    retries: 0,
    onCompromised: (err) => o.onLost?.(err),
  });
  let release: () => Promise<void>;
  try {
    await mkdir(dir, { recursive: true });
    release = await take().catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ELOCKED') throw err;
      const taken = await takeFromGoneHolder(dir, take);
      if (!taken) throw await heldError(dir, o.flag, staleMs);
      return taken;
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw refusedWriteError(err, dir) ?? err;
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: o.command };
  const holderFile = join(dir, HOLDER_FILE);
  try {
    await writeFile(holderFile, `${JSON.stringify(holder, null, 2)}\n`);
  } catch (err) {
    await release().catch(() => {});
    throw refusedWriteError(err, dir) ?? err;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await rm(holderFile, { force: true }).catch(() => {});
      await release().catch(() => {}); // already released when the lock was compromised
    },
  };
}

/** Reads `.batchlab-lock.json`; null when absent or torn (the holder is between mkdir and writing it). */
export async function readLockHolder(dir: string): Promise<LockHolder | null> {
  try {
    const h = JSON.parse(await readFile(join(dir, HOLDER_FILE), 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long a gone holder's lock must have gone unrefreshed before it is taken over (ms). */
const GONE_STALE_MS = 2000;

/**
 * Takes the lock of a holder on this host whose process is gone, once the lock is
 * GONE_STALE_MS old (removing it as proper-lockfile removes a stale one, then locking as usual);
 * null when the holder is alive, elsewhere or unknown. The holder is read again before every
 * try, so a process that took the lock meanwhile (and wrote itself as the holder within
 * milliseconds, long before its lock can look 2 s old) is never taken from.
 */
async function takeFromGoneHolder(dir: string, take: () => Promise<() => Promise<void>>): Promise<(() => Promise<void>) | null> {
  const first = await readLockHolder(dir);
  if (!first || first.host !== hostname() || first.pid === process.pid || isAlive(first.pid)) return null;
  const lockDir = join(dir, LOCK_DIR);
  // The holder refreshed its lock at most one update interval (5 s) before it died.
  const deadline = Date.now() + 5000 + GONE_STALE_MS + 1000;
  while (Date.now() < deadline) {
    const now = await readLockHolder(dir);
    if (!now || now.pid !== first.pid || now.since !== first.since) return null;
    const info = await stat(lockDir).catch(() => null);
    if (!info || Date.now() - info.mtimeMs >= GONE_STALE_MS) {
      if (info) await rmdir(lockDir).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      try {
        return await take();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return null; // another process was quicker
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

async function heldError(dir: string, flag: string, staleMs: number): Promise<UsageError> {
  const h = await readLockHolder(dir);
  const who = h
    ? `process ${h.pid} on ${h.host} (${h.command}, since ${h.since})`
    : 'another batchlab process (which has not written its details yet)';
  const gone = h && h.host === hostname() && !isAlive(h.pid)
    ? `; that process is gone, and its lock is taken over ${staleMs / 1000} s after its last refresh: rerun then`
    : '';
  const message = `${dir} is in use by ${who}${gone}`;
  return new UsageError(`output folder ${dir} is locked by another batchlab process`, [
    { path: flag, message: `${message}. Wait for it to finish, or write somewhere else with --out (lock: ${join(dir, LOCK_DIR)})` },
  ]);
}

/**
 * Runs `fn` holding `dir`'s lock: a write the disk refuses inside it becomes the EnvironmentError
 * naming the folder, and the lock is released however `fn` ends.
 */
export async function withFolderLock<T>(dir: string, o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await lockFolder(dir, o);
  try {
    return await fn();
  } catch (err) {
    throw refusedWriteError(err, dir) ?? err;
  } finally {
    await lock.release();
  }
}

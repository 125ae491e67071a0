import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { HOLDER_FILE, LOCK_DIR, lockFolder, lockStaleMs, readLockHolder } from './folder-lock.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'batchlab-lock-')), 'out');

/** A pid that no process has: larger than any pid_max. */
const DEAD_PID = 2 ** 22 + 12345;

describe('lockFolder', () => {
  it('creates the folder, records the holder, refuses a second lock naming the holder, and frees it on release', async () => {
    const dir = fresh();
    const lock = await lockFolder(dir, { flag: '--out', command: 'sweep tiny' });
    expect(existsSync(join(dir, LOCK_DIR))).toBe(true);
    const holder = await readLockHolder(dir);
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: 'sweep tiny' });

    const second = await lockFolder(dir, { flag: '--out', command: 'sweep other' }).then(() => null, (e: unknown) => e);
    expect(second).toBeInstanceOf(UsageError);
    const issue = (second as UsageError).issues[0]!;
    expect(issue.path).toBe('--out');
    expect(issue.message).toContain(dir);
    expect(issue.message).toContain(`process ${process.pid} on ${hostname()}`);
    expect(issue.message).toContain(holder!.since);

    await lock.release();
    await lock.release(); // twice is harmless
    expect(existsSync(join(dir, LOCK_DIR))).toBe(false);
    expect(existsSync(join(dir, HOLDER_FILE))).toBe(false);
    const again = await lockFolder(dir, { flag: '--out', command: 'sweep other' });
    await again.release();
  });

  it('takes over a lock of another host only once stale, naming its holder until then', async () => {
    const dir = fresh();
    mkdirSync(join(dir, LOCK_DIR), { recursive: true });
    writeFileSync(join(dir, HOLDER_FILE), JSON.stringify({ pid: 4242, host: 'node7.elsewhere', since: '2026-01-01T00:00:00.000Z', command: 'sweep tiny' }));
    // Refreshed just now: it counts, whether or not a process 4242 runs there.
    const early = await lockFolder(dir, { flag: 'name', command: 'sweep tiny', staleMs: 2000 }).then(() => null, (e: unknown) => e);
    expect(early).toBeInstanceOf(UsageError);
    expect((early as UsageError).issues[0]!.path).toBe('name');
    expect((early as UsageError).issues[0]!.message).toContain(`${dir} is in use by process 4242 on node7.elsewhere (sweep tiny, since 2026-01-01T00:00:00.000Z)`);

    const past = new Date(Date.now() - 5000);
    utimesSync(join(dir, LOCK_DIR), past, past);
    const lock = await lockFolder(dir, { flag: 'name', command: 'sweep tiny', staleMs: 2000 });
    expect((await readLockHolder(dir))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a fresh lock at once when its holder ran on this host and is gone (within seconds, not the stale time)', async () => {
    const dir = fresh();
    mkdirSync(join(dir, LOCK_DIR), { recursive: true });
    writeFileSync(join(dir, HOLDER_FILE), JSON.stringify({ pid: DEAD_PID, host: hostname(), since: '2026-01-01T00:00:00.000Z', command: 'sweep tiny' }));
    const t0 = Date.now();
    const lock = await lockFolder(dir, { flag: 'name', command: 'sweep tiny' }); // stale time 30 s
    expect(Date.now() - t0).toBeLessThan(8000);
    expect((await readLockHolder(dir))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('reads its stale time from BATCHLAB_LOCK_STALE_MS, 30 s otherwise, never under 2 s', () => {
    expect(lockStaleMs({})).toBe(30_000);
    expect(lockStaleMs({ BATCHLAB_LOCK_STALE_MS: '2500' })).toBe(2500);
    expect(lockStaleMs({ BATCHLAB_LOCK_STALE_MS: '100' })).toBe(30_000);
    expect(lockStaleMs({ BATCHLAB_LOCK_STALE_MS: 'soon' })).toBe(30_000);
  });
});

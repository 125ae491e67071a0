/**
 * An output folder that cannot be written, through the real CLI. Read-only: refused before anything is
 * written when it is read-only from the start, and, when it becomes read-only mid-sweep, the sweep
 * stops with exit 1 and a message naming the folder (not "a bug in batchlab"), finished runs
 * intact and no temp files left; once writable again, rerunning completes the sweep.
 *
 * Read-only is made with `chmod a-w`; as root (where chmod does not stop writes) with
 * `chattr +i` instead, which stops root too on ext4, xfs and btrfs. Where neither stops a write
 * (e.g. root on tmpfs or overlayfs without chattr support), the tests skip and say so.
 *
 * Full: the output folder is a 48 KiB tmpfs, which fills mid-sweep; the sweep stops with exit 1
 * saying the disk is full, finished runs intact and no temp files left; with the tmpfs grown, a
 * rerun completes it. Mounting needs root with CAP_SYS_ADMIN; elsewhere the test skips and says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeSpec } from './support/cli.ts';

const spec = (epochs: number) => `
name: ro
backend: cpu
data: { name: blobs, classes: 3, dim: 8, trainSize: 384, testSize: 96 }
model: { name: mlp, hidden: [16] }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: ${epochs}, logEvery: 5 }
sweep:
  batchSize: [16, 64]
  lr: [0.05]
  referenceBatchSize: 16
  scaling: [none, linear]
  seeds: [1, 2]
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function writable(dir: string): boolean {
  const probe = join(dir, `.probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
  } catch {
    return false;
  }
  rmSync(probe, { force: true });
  return true;
}

/** Makes `dir` and everything in it read-only; says how, or why it could not. */
function freeze(dir: string): { how: string } | { skip: string } {
  spawnSync('chmod', ['-R', 'a-w', dir]);
  if (!writable(dir)) return { how: 'chmod a-w' };
  const chattr = spawnSync('chattr', ['-R', '+i', dir], { encoding: 'utf8' });
  if (!writable(dir)) return { how: 'chattr +i' };
  thaw(dir);
  const why = chattr.error ? `chattr is not installed (${chattr.error.message})` : `chattr +i did not stop it either (${(chattr.stderr || `exit ${chattr.status}`).trim()})`;
  return { skip: `cannot make a folder read-only here: running as uid ${process.getuid?.()}, chmod a-w does not stop this user's writes, and ${why}` };
}

function thaw(dir: string): void {
  spawnSync('chattr', ['-R', '-i', dir]);
  spawnSync('chmod', ['-R', 'u+w', dir]);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

function summaryRows(dir: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(dir, 'summary.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [cols[i], c])));
}

/** Mounts a tmpfs of `size` at `dir`, or says why it cannot. */
function mountTmpfs(dir: string, size: string): { ok: true } | { skip: string } {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) return { ok: true };
  return { skip: `cannot mount a small tmpfs to fill (uid ${process.getuid?.()}; mount: ${(r.error?.message ?? r.stderr ?? '').trim() || `exit ${r.status}`})` };
}

describe('a full output disk', () => {
  it('stops the sweep with exit 1 saying the disk is full, finished runs intact, no temp files; with space again, a rerun completes it', async (ctx) => {
    const dir = tempDir();
    const file = writeSpec(dir, 'ro.yaml', spec(3));
    const out = join(dir, 'out');
    mkdirSync(out);
    const mounted = mountTmpfs(out, '48k');
    if ('skip' in mounted) return ctx.skip(mounted.skip);
    try {
      const r = await runCli(['sweep', file, '--out', 'out', '--workers', '1'], dir);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: cannot write to out: the disk \(or your quota\) is full \((Error: )?ENOSPC/m);
      expect(r.stderr).toContain('Free some space');
      expect(r.stderr).not.toContain('internal error');
      const finished = existsSync(join(out, 'summary.csv')) ? summaryRows(out) : [];
      expect(finished.length).toBeLessThan(8);
      for (const row of finished) {
        expect(row.status).toBe('completed');
        expect(JSON.parse(readFileSync(join(out, 'runs', row.run_id!, 'run.json'), 'utf8')).status).toBe('completed');
      }
      expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);

      expect(spawnSync('mount', ['-o', 'remount,size=4m', out]).status).toBe(0);
      const again = await runCli(['sweep', file, '--out', 'out', '--workers', '1'], dir);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`(${finished.length} skipped as already done)`);
      const rows = summaryRows(out);
      expect(rows).toHaveLength(8);
      expect(rows.every((row) => row.status === 'completed')).toBe(true);
    } finally {
      spawnSync('umount', [out]);
    }
  }, 240_000);
});

describe('a read-only output folder', () => {
  it('is refused before anything is written: sweep, run, and a new folder under a read-only one (exit 1, folder named)', async (ctx) => {
    const dir = tempDir();
    const file = writeSpec(dir, 'ro.yaml', spec(2));
    mkdirSync(join(dir, 'out'));
    const frozen = freeze(join(dir, 'out'));
    if ('skip' in frozen) return ctx.skip(frozen.skip);
    try {
      const cases: [string[], string][] = [
        [['sweep', file, '--out', 'out', '--workers', '1'], 'out'],
        [['run', file, '--out', 'out'], 'out'],
        [['sweep', file, '--out', 'out/inner', '--workers', '1'], 'out'],
      ];
      const results = await Promise.all(cases.map(([args]) => runCli(args, dir)));
      results.forEach((r, i) => {
        expect(r.code, `${cases[i]![0].join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^error: cannot write to ${cases[i]![1]}(/inner)?: it is read-only or not writable by this user`, 'm'));
        expect(r.stderr).toContain('or write somewhere else with --out');
        expect(r.stderr).not.toContain('internal error');
        expect(r.stderr).not.toContain('bug in batchlab');
      });
      expect(readdirSync(join(dir, 'out'))).toEqual([]);
    } finally {
      thaw(join(dir, 'out'));
    }
  }, 120_000);

  it('made read-only mid-sweep: exit 1 naming the folder, finished runs intact, no temp files; writable again, a rerun completes it', async (ctx) => {
    const dir = tempDir();
    const file = writeSpec(dir, 'ro.yaml', spec(12));
    const out = join(dir, 'out');
    let frozen: ReturnType<typeof freeze> | undefined;
    const sweep = runCli(['sweep', file, '--out', 'out', '--workers', '2'], dir);
    try {
      const t0 = Date.now();
      while (!frozen) {
        if (existsSync(join(out, 'summary.csv')) && summaryRows(out).length >= 2) frozen = freeze(out);
        else if (Date.now() - t0 > 120_000) throw new Error('timed out waiting for two finished runs');
        else await sleep(20);
      }
      const r = await sweep;
      if ('skip' in frozen) return ctx.skip(frozen.skip);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: cannot write to out: it is read-only or not writable by this user \((Error: )?E(ACCES|PERM)/m);
      expect(r.stderr).toContain('rerun the same command afterwards (a sweep resumes where it stopped)');
      expect(r.stderr).not.toContain('internal error');

      const finished = summaryRows(out);
      expect(finished.length).toBeGreaterThanOrEqual(2);
      expect(finished.length).toBeLessThan(8);
      for (const row of finished) {
        expect(row.status).toBe('completed');
        const record = JSON.parse(readFileSync(join(out, 'runs', row.run_id!, 'run.json'), 'utf8'));
        expect(record.status).toBe('completed');
        const curve = readFileSync(join(out, 'runs', row.run_id!, 'curve.csv'), 'utf8').trim().split('\n');
        expect(curve.length).toBeGreaterThan(2);
      }
      expect(filesUnder(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await sweep;
      thaw(out);
    }

    // The lock could not be removed from the read-only folder; its process is gone, so the
    // rerun takes it over within seconds.
    const again = await runCli(['sweep', file, '--out', 'out', '--workers', '2'], dir);
    expect(again.code, again.stderr).toBe(0);
    const rows = summaryRows(out);
    expect(rows).toHaveLength(8);
    expect(rows.every((row) => row.status === 'completed')).toBe(true);
  }, 240_000);
});

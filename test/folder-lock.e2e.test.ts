/**
 * Two processes, one output folder, through the real CLI: a second sweep (and a `run`, and a
 * `merge --out`) into a folder a sweep is writing is refused with exit 2, naming the folder and
 * the holder, and the first sweep's results are intact. A lock left by a SIGKILLed sweep on this
 * host is taken over at once; one of another host once it is stale (BATCHLAB_LOCK_STALE_MS=2000
 * here; 30 s by default).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir, writeSpec } from './support/cli.ts';

// 8 runs, long enough (several seconds each on one worker) that the other processes start
// while the first sweep still holds the folder.
const slowSpec = (epochs: number) => `
name: slow
backend: cpu
data: { name: blobs, classes: 3, dim: 8, trainSize: 384, testSize: 96 }
model: { name: mlp, hidden: [16] }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: ${epochs}, logEvery: 10 }
sweep:
  batchSize: [16, 64]
  lr: [0.05]
  referenceBatchSize: 16
  scaling: [none, linear]
  seeds: [1, 2]
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** summary.csv rows as records (no quoted cells in these sweeps). */
function summaryRows(dir: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(dir, 'summary.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [cols[i], c])));
}

/** Every run of the summary completed once, with a curve whose steps are strictly increasing. */
function expectComplete(dir: string, runs: number): void {
  const rows = summaryRows(dir);
  expect(rows).toHaveLength(runs);
  expect(new Set(rows.map((r) => r.run_id)).size).toBe(runs);
  for (const row of rows) {
    expect(row.status).toBe('completed');
    const steps = readFileSync(join(dir, 'runs', row.run_id!, 'curve.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    expect(steps.length).toBeGreaterThan(2);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]!);
  }
}

describe('one writer per output folder', () => {
  it('refuses a second sweep, a run and a merge --out into a folder a sweep holds (exit 2, holder named); the first finishes intact', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'slow.yaml', slowSpec(50));
    const first = runCli(['sweep', spec, '--out', 'out', '--workers', '1'], dir);
    const holderFile = join(dir, 'out', '.batchlab-lock.json');
    await waitFor(() => existsSync(holderFile) && existsSync(join(dir, 'out', 'sweep.json')), 'the first sweep to lock its folder');
    const holder = JSON.parse(readFileSync(holderFile, 'utf8')) as { pid: number; host: string; since: string };

    const [second, run, merge] = await Promise.all([
      runCli(['sweep', spec, '--out', 'out', '--workers', '1'], dir),
      runCli(['run', spec, '--out', 'out'], dir),
      runCli(['merge', 'out', '--out', 'out'], dir),
    ]);
    for (const r of [second, run, merge]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('output folder out is locked by another batchlab process');
      expect(r.stderr).toContain(`--out: out is in use by process ${holder.pid} on ${hostname()} (sweep slow, since ${holder.since})`);
      expect(r.stderr).not.toContain('internal error');
    }

    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expectComplete(join(dir, 'out'), 8);
    expect(existsSync(join(dir, 'out', '.batchlab-lock'))).toBe(false); // released
    expect(existsSync(holderFile)).toBe(false);
  }, 240_000);

  it('resumes at once after a SIGKILLed sweep on this host; a lock of another host is taken over once stale', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'slow.yaml', slowSpec(15));
    const lockDir = join(dir, 'out', '.batchlab-lock');
    const holderFile = join(dir, 'out', '.batchlab-lock.json');
    const killAfterFirstRun = async () => {
      const child = spawn(process.execPath, [BIN, 'sweep', spec, '--out', 'out', '--workers', '1'], { cwd: dir, stdio: 'ignore' });
      const exited = new Promise((r) => child.on('close', r));
      const rows = existsSync(join(dir, 'out', 'summary.csv')) ? summaryRows(join(dir, 'out')).length : 0;
      await waitFor(() => existsSync(join(dir, 'out', 'summary.csv')) && summaryRows(join(dir, 'out')).length > rows, 'a run to finish');
      child.kill('SIGKILL');
      await exited;
      expect(existsSync(lockDir)).toBe(true); // left behind
    };

    // Same host, its process gone: the next sweep takes the lock over within seconds.
    await killAfterFirstRun();
    const resumed = await runCli(['sweep', spec, '--out', 'out', '--workers', '1'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/\(([1-7]) skipped as already done\)/);
    expectComplete(join(dir, 'out'), 8);
    expect(existsSync(lockDir)).toBe(false);

    // The lock of a process on another host (as on a cluster's shared disk) counts until stale.
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(holderFile, JSON.stringify({ pid: 4242, host: 'node7.elsewhere', since: '2026-01-01T00:00:00.000Z', command: 'sweep slow' }));
    const early = await runCli(['sweep', spec, '--out', 'out', '--workers', '1'], dir);
    expect(early.code, early.stderr).toBe(2);
    expect(early.stderr).toContain('--out: out is in use by process 4242 on node7.elsewhere (sweep slow, since 2026-01-01T00:00:00.000Z)');
    const past = new Date(Date.now() - 3000);
    utimesSync(lockDir, past, past);
    const late = await runCli(['sweep', spec, '--out', 'out', '--workers', '1'], dir, { env: { BATCHLAB_LOCK_STALE_MS: '2000' } });
    expect(late.code, late.stderr).toBe(0);
    expect(late.stdout).toContain('(8 skipped as already done)');
    expect(existsSync(lockDir)).toBe(false);
  }, 240_000);
});

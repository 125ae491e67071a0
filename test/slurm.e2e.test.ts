/**
 * The Slurm route for real: scripts/cluster/slurm-array.sh submitted with sbatch as a 2-task job array,
 * waited for by polling squeue, merged with `batchlab merge`, and compared cell by cell (all
 * columns but the timings) with the same sweep run unsharded. Needs a running Slurm
 * (`.ci/install-slurm` starts one); without it the test is skipped, unless
 * BATCHLAB_REQUIRE_SYSTEM=1, where it fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, readCsvRows, runCli, tempDir, writeSpec } from './support/cli.ts';
import { requireSystem } from './support/require-system.ts';

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../scripts/cluster/slurm-array.sh');

/** Why Slurm cannot be used here, or undefined when sinfo answers with an idle or mixed node. */
async function slurmProblem(): Promise<string | undefined> {
  try {
    const { stdout } = await run('sinfo', ['-h', '-o', '%t'], { timeout: 10_000 });
    return /\b(idle|mix)\b/.test(stdout) ? undefined : `sinfo shows no idle node (${stdout.trim() || 'no nodes'})`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'sinfo not found' : `sinfo failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

const problem = await slurmProblem();
const skipSlurm = requireSystem('slurmctld slurmd slurm-client munge', problem === undefined, {
  why: `needs a running Slurm, which .ci/install-slurm installs and starts: ${problem}`,
});

// Four runs on the deterministic cpu backend.
const SPEC = `
name: slurmtiny
backend: cpu
data: { name: blobs, classes: 3, dim: 8, trainSize: 256, testSize: 64 }
model: { name: mlp, hidden: [8] }
train: { epochs: 1, logEvery: 4 }
sweep:
  batchSize: [16, 32]
  lr: [0.05]
  seeds: [1, 2]
`;

function summaryOf(dir: string): Map<string, Record<string, string>> {
  const rows = new Map<string, Record<string, string>>();
  for (const row of readCsvRows(join(dir, 'summary.csv'))) {
    delete row.wall_s;
    delete row.samples_per_s;
    delete row.train_s;
    rows.set(row.run_id!, row);
  }
  return rows;
}

async function waitForJob(jobId: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const { stdout } = await run('squeue', ['-h', '-j', jobId]).catch(() => ({ stdout: '' }));
    if (stdout.trim() === '') return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`job ${jobId} still queued or running after ${timeoutMs / 1000} s`);
}

describe.skipIf(skipSlurm)('Slurm job array', () => {
  it('sbatch --array=0-1 of slurm-array.sh, merged, equals the unsharded sweep cell for cell', async () => {
    const dir = tempDir('batchlab-slurm-');
    writeSpec(dir, 'slurmtiny.yaml', SPEC);
    const full = await runCli(['sweep', 'slurmtiny.yaml', '--workers', '1', '--out', 'full'], dir);
    expect(full.code, full.stderr).toBe(0);

    // One CPU per task so both tasks fit a small node at once; BATCHLAB runs this checkout's binary.
    const { stdout } = await run('sbatch', ['--parsable', '--array=0-1', '--cpus-per-task=1', `--chdir=${dir}`, SCRIPT, 'slurmtiny.yaml', '--workers', '1'], {
      cwd: dir, env: { ...process.env, BATCHLAB: `${process.execPath} ${BIN}` },
    });
    const jobId = stdout.trim().split(';')[0]!;
    expect(jobId).toMatch(/^\d+$/);
    await waitForJob(jobId, 420_000);

    const logs = readdirSync(dir).filter((f) => f.startsWith(`batchlab-${jobId}_`)).map((f) => `${f}:\n${readFileSync(join(dir, f), 'utf8')}`).join('\n');
    for (const shard of ['results/slurmtiny-shard-0', 'results/slurmtiny-shard-1']) {
      expect(existsSync(join(dir, shard, 'summary.csv')), `${shard}/summary.csv missing; task logs:\n${logs}`).toBe(true);
    }
    const merged = await runCli(['merge', 'results/slurmtiny-shard-0', 'results/slurmtiny-shard-1', '--out', 'merged'], dir);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('merged 4 runs');

    const reference = summaryOf(join(dir, 'full'));
    expect(reference.size).toBe(4);
    expect(summaryOf(join(dir, 'merged'))).toEqual(reference);
  }, 540_000);
});

describe('scripts/cluster/slurm-array.sh', () => {
  it('outside a job array says to submit it with --array, instead of an unbound variable', async () => {
    const env = { PATH: process.env.PATH ?? '' };
    const err = await run('bash', [SCRIPT, 'x.yaml'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('not a job array task (SLURM_ARRAY_TASK_ID is not set): submit it with sbatch --array=0-N');
  });
});

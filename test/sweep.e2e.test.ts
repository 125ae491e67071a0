/**
 * The sweep end to end through the real CLI: dry run, a tiny grid, resume after SIGKILL,
 * shards merged, workers 2 vs 1, a failing run among good ones, and invalid specs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from './support/idx-fixtures.ts';
import { readCsvRows, runCli, tempDir, writeSpec } from './support/cli.ts';

// Tiny synthetic grid on the deterministic cpu backend: 2 batch sizes x 2 rules x 2 seeds = 8 runs.
const TINY = `
name: tiny
backend: cpu
data: { name: blobs, classes: 3, dim: 8, trainSize: 384, testSize: 96 }
model: { name: mlp, hidden: [16] }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: 2, logEvery: 2 }
sweep:
  batchSize: [16, 64]
  lr: [0.05]
  referenceBatchSize: 16
  scaling: [none, linear]
  seeds: [1, 2]
`;

/** summary.csv rows keyed by run id, without the timing columns (which differ run to run). */
function summaryOf(dir: string): Map<string, Record<string, string>> {
  const rows = new Map<string, Record<string, string>>();
  for (const row of readCsvRows(join(dir, 'summary.csv'))) {
    delete row.wall_s;
    delete row.samples_per_s;
    delete row.train_s;
    rows.set(row.run_id, row);
  }
  return rows;
}

describe('batchlab sweep', () => {
  it('--dry-run prints every planned run with its derived LR and writes nothing', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'tiny.yaml', TINY);
    const r = await runCli(['sweep', spec, '--dry-run', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('8 runs planned');
    const lines = r.stdout.split('\n').filter((l) => /^[0-9a-f]{12} /.test(l));
    expect(lines).toHaveLength(8);
    // linear at B=64 with B0=16: k=4, lr = 0.2
    expect(lines.some((l) => /\s64\s+0\.0500\s+linear\s+4\.00\s+0\.2000\s/.test(l))).toBe(true);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('runs a tiny grid, resumes after SIGKILL to the same summary, and merges shards to the same summary', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'tiny.yaml', TINY);
    const full = await runCli(['sweep', spec, '--out', 'full', '--workers', '1'], dir);
    expect(full.code, full.stderr).toBe(0);
    const reference = summaryOf(join(dir, 'full'));
    expect(reference.size).toBe(8);
    for (const row of reference.values()) {
      expect(row.status).toBe('completed');
      expect(Number(row.final_test_acc)).toBeGreaterThan(0.5);
      const curve = readFileSync(join(dir, 'full', 'runs', row.run_id, 'curve.csv'), 'utf8').trim().split('\n');
      expect(curve[0]).toBe('step,epoch,examples_seen,batch_size,lr,train_loss,train_eval_loss,train_eval_acc,test_loss,test_acc,wall_ms');
      expect(curve.length).toBeGreaterThan(3);
    }
    const sweepJson = JSON.parse(readFileSync(join(dir, 'full', 'sweep.json'), 'utf8'));
    expect(sweepJson.environment.backend).toBe('cpu');

    // Rerunning skips everything.
    const again = await runCli(['sweep', spec, '--out', 'full', '--workers', '1'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('8 skipped');
    // No backend started for a sweep with nothing left to run: the runs' environment is kept.
    expect(JSON.parse(readFileSync(join(dir, 'full', 'sweep.json'), 'utf8')).environment.backend).toBe('cpu');

    // SIGKILL after the third finished run, then resume.
    const killed = await runCli(['sweep', spec, '--out', 'killed', '--workers', '1'], dir, {
      onStdout: (text, kill) => {
        if (text.includes('[3/8]')) kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(summaryOf(join(dir, 'killed')).size).toBeGreaterThanOrEqual(3);
    expect(summaryOf(join(dir, 'killed')).size).toBeLessThan(8);
    const resumed = await runCli(['sweep', spec, '--out', 'killed', '--workers', '1'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(summaryOf(join(dir, 'killed'))).toEqual(reference);

    // Shards 0/2 and 1/2 (one via the flag, one via Slurm's env), merged.
    const s0 = await runCli(['sweep', spec, '--out', 's0', '--shard', '0/2', '--workers', '1'], dir);
    const s1 = await runCli(['sweep', spec, '--out', 's1', '--workers', '1'], dir, {
      env: { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' },
    });
    expect([s0.code, s1.code]).toEqual([0, 0]);
    expect(summaryOf(join(dir, 's0')).size).toBe(4);
    expect(summaryOf(join(dir, 's1')).size).toBe(4);
    const merged = await runCli(['merge', 's0', 's1', 'full', '--out', 'merged'], dir);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('8 identical duplicates dropped');
    expect(summaryOf(join(dir, 'merged'))).toEqual(reference);

    // Two worker processes give the same results as one.
    const parallel = await runCli(['sweep', spec, '--out', 'parallel', '--workers', '2'], dir);
    expect(parallel.code, parallel.stderr).toBe(0);
    expect(summaryOf(join(dir, 'parallel'))).toEqual(reference);
  }, 600_000);

  it('on Ctrl-C marks running runs aborted, exits 130, and the next invocation finishes them', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'long.yaml', TINY.replace('epochs: 2', 'epochs: 200').replace('batchSize: [16, 64]', 'batchSize: [8]'));
    let sent = false;
    const interrupted = await runCli(['sweep', spec, '--out', 'out', '--workers', '2'], dir, {
      onStdout: (text, kill) => {
        if (!sent && text.includes('sweep: 4 runs')) {
          sent = true;
          setTimeout(() => kill('SIGINT'), 1500);
        }
      },
    });
    expect(interrupted.code).toBe(130);
    const rows = [...summaryOf(join(dir, 'out')).values()];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'aborted')).toBe(true);
    const resumed = await runCli(['sweep', spec, '--out', 'out', '--workers', '2'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = [...summaryOf(join(dir, 'out')).values()];
    expect(after.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  }, 300_000);

  it('records a failing run as failed, finishes the others, and exits 1', async () => {
    const dir = tempDir();
    // Two Fashion-MNIST folders whose headers pass the checks made before the sweep; in `bad` a
    // label is 12, which only loading the data finds: those runs fail, the others complete.
    for (const [folder, label] of [['good', 0], ['bad', 12]] as const) {
      mkdirSync(join(dir, folder));
      const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 5 ? label : i % 10));
      writeFileSync(join(dir, folder, 'train-images-idx3-ubyte'), encodeIdx([64, 4, 4], new Uint8Array(64 * 16).map((_, i) => i % 251)));
      writeFileSync(join(dir, folder, 'train-labels-idx1-ubyte'), encodeIdx([64], labels(64)));
      writeFileSync(join(dir, folder, 't10k-images-idx3-ubyte'), encodeIdx([16, 4, 4], new Uint8Array(16 * 16).map((_, i) => i % 13)));
      writeFileSync(join(dir, folder, 't10k-labels-idx1-ubyte'), encodeIdx([16], labels(16)));
    }
    const spec = writeSpec(dir, 'fail.yaml', TINY.replace(/data: \{[^}]*\}/, 'data: { name: fashion-mnist, dir: good }')
      .replace('seeds: [1, 2]', 'seeds: [1]\n  axes:\n    data.dir: [good, bad]').replace('batchSize: [16, 64]', 'batchSize: [16]'));
    const r = await runCli(['sweep', spec, '--out', 'out', '--workers', '1'], dir);
    expect(r.code, r.stderr).toBe(1);
    const rows = [...summaryOf(join(dir, 'out')).values()];
    expect(rows).toHaveLength(4);
    expect(rows.filter((row) => row.status === 'failed')).toHaveLength(2);
    expect(rows.filter((row) => row.status === 'completed')).toHaveLength(2);
    expect(rows.every((row) => row['data.dir'] === (row.status === 'failed' ? 'bad' : 'good'))).toBe(true);
    const failed = rows.find((row) => row.status === 'failed')!;
    const record = JSON.parse(readFileSync(join(dir, 'out', 'runs', failed.run_id, 'run.json'), 'utf8'));
    expect(record.error).toMatch(/is corrupt: label 12/);
  }, 300_000);

  it('rejects an invalid spec with every issue by path, exit 2, and writes nothing', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'bad.yaml', TINY.replace('epochs: 2', 'epochs: -1').replace('scaling: [none, linear]', 'scaling: [none, cubic]').replace('name: mlp,', 'name: mlp, widht: 3,'));
    const r = await runCli(['sweep', spec, '--out', 'out', '--set', 'train.batchSize=0'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('train.epochs: expected a positive number, got -1');
    expect(r.stderr).toContain('sweep.scaling.1: expected one of none | linear | sqrt, got "cubic"');
    expect(r.stderr).toContain('model.widht: unknown key');
    expect(r.stderr).toContain('train.batchSize: expected a positive integer, got 0');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });
});

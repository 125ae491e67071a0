/** `batchlab run`, `doctor` and `--help` through the real binary. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvColumns, readCsvRows, runCli, tempDir, writeSpec } from './support/cli.ts';

const SPEC = `
name: one
backend: wasm
data: { name: blobs, classes: 4, dim: 10, trainSize: 512, testSize: 128 }
model: { name: mlp, hidden: [32], dropout: 0.1 }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: 3, batchSize: 32, lr: 0.05 }
`;

describe('batchlab run', () => {
  it('trains one configuration on wasm and writes curve.csv and run.json under <out>/runs/<run_id>', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'one.yaml', SPEC);
    const r = await runCli(['run', spec, '--out', 'out', '--set', 'train.seed=7'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('backend: wasm');
    const [id] = readdirSync(join(dir, 'out', 'runs'));
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    const record = JSON.parse(readFileSync(join(dir, 'out', 'runs', id, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ run_id: id, status: 'completed', config: { train: { seed: 7, epochs: 3 } } });
    expect(record.final.steps).toBe(3 * Math.floor(512 / 32));
    expect(record.final.test_acc).toBeGreaterThan(0.5);
    expect(record.environment).toMatchObject({ backend: 'wasm' });
    expect(record.environment.node_version).toBe(process.version);
    const curveFile = join(dir, 'out', 'runs', id, 'curve.csv');
    expect(readCsvColumns(curveFile)).toEqual(['step', 'epoch', 'examples_seen', 'batch_size', 'lr', 'train_loss', 'train_eval_loss', 'train_eval_acc', 'test_loss', 'test_acc', 'wall_ms']);
    const curve = readCsvRows(curveFile);
    const last = curve.at(-1)!;
    expect(Number(last.step)).toBe(record.final.steps);
    expect(Number(last.test_acc)).toBeCloseTo(record.final.test_acc, 12);

    // The same seed again: the same run id and bit-identical curves (wall time aside).
    const again = await runCli(['run', spec, '--out', 'again', '--set', 'train.seed=7'], dir);
    expect(again.code).toBe(0);
    const strip = (rows: Record<string, string>[]) => rows.map(({ wall_ms: _wall, ...rest }) => rest);
    expect(strip(readCsvRows(join(dir, 'again', 'runs', id, 'curve.csv')))).toEqual(strip(curve));
  });

  it('rejects a bad spec with every issue by path and exit 2, writing nothing', async () => {
    const dir = tempDir();
    const spec = writeSpec(dir, 'bad.yaml', SPEC.replace('epochs: 3', 'epochs: -1').replace('dropout: 0.1', 'dropout: 1.5'));
    const r = await runCli(['run', spec, '--out', 'out', '--backend', 'gpu'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('train.epochs: expected a positive number, got -1');
    expect(r.stderr).toContain('model.dropout: expected a number in [0, 1), got 1.5');
    expect(r.stderr).toContain('backend: expected one of auto | tensorflow | webgpu | native | wasm | cpu, got "gpu"');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a missing spec file is a usage error', async () => {
    const r = await runCli(['run', 'nope.yaml'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read spec nope\.yaml/);
  });
});

describe('batchlab doctor and --help', () => {
  it('doctor lists every backend and exits 0 when one works', async () => {
    const r = await runCli(['doctor'], tempDir());
    expect(r.code).toBe(0);
    for (const name of ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu']) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+(yes|no)`, 'm'));
    expect(r.stdout).toMatch(/^wasm\s+yes/m);
  });

  it('--help lists the commands; an unknown command exits 2', async () => {
    const help = await runCli(['--help'], tempDir());
    expect(help.code).toBe(0);
    for (const c of ['run', 'sweep', 'merge', 'compare', 'report', 'verify', 'doctor']) expect(help.stdout).toContain(`batchlab ${c}`);
    const bad = await runCli(['frobnicate'], tempDir());
    expect(bad.code).toBe(2);
  });
});

/**
 * experiments/examples/ from a checkout: the shipped data files are what scripts/examples/example-data.ts
 * writes, and `batchlab sweep` runs each example spec (shortened to one epoch, on the backend
 * `auto` picks, as a user's would).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeExampleData } from '../scripts/examples/example-data.ts';
import { writeExampleModel } from '../scripts/examples/example-model.ts';
import { readCsvRows, runCli, tempDir } from './support/cli.ts';
import { rmSync } from 'node:fs';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'experiments/examples');
const DATA_EXAMPLES = ['csv', 'npy', 'npz', 'idx', 'images'];
/** Example specs with their run counts. */
const MODEL_EXAMPLES: [string, number][] = [['saved-model', 4], ['module-model', 4], ['bn-small-batch-saved-model', 10]];
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function files(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}

describe('experiments/examples', () => {
  it('ships exactly the data files scripts/examples/example-data.ts writes', async () => {
    const dir = tempDir();
    dirs.push(dir);
    await writeExampleData(join(dir, 'data'));
    const fresh = files(join(dir, 'data'));
    const shipped = files(join(EXAMPLES, 'data'));
    expect([...shipped.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [name, bytes] of fresh) expect(shipped.get(name)!.equals(bytes), name).toBe(true);
  });

  it('ships the saved model scripts/examples/example-model.ts writes (tfjs model.fit and model.save, cpu)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    await writeExampleModel(dir);
    for (const name of ['model.json', 'weights.bin']) expect(readFileSync(join(dir, name)).equals(readFileSync(join(EXAMPLES, 'model', name))), name).toBe(true);
  });

  it.each(MODEL_EXAMPLES)('batchlab sweep experiments/examples/%s.yaml trains its %i runs', async (name, runs) => {
    const out = tempDir();
    dirs.push(out);
    const r = await runCli(['sweep', `experiments/examples/${name}.yaml`, '--out', out, '--workers', '1', '--set', 'train.epochs=1'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    const rows = readCsvRows(join(out, 'summary.csv'));
    expect(rows.length).toBe(runs);
    for (const row of rows) expect(row.status).toBe('completed');
  }, 300_000);

  it.each(DATA_EXAMPLES)('batchlab sweep experiments/examples/%s.yaml trains every run', async (name) => {
    const out = tempDir();
    dirs.push(out);
    const r = await runCli(['sweep', `experiments/examples/${name}.yaml`, '--out', out, '--workers', '1', '--set', 'train.epochs=1'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    const rows = readCsvRows(join(out, 'summary.csv'));
    expect(rows.length).toBe(4);
    for (const row of rows) expect(row.status).toBe('completed');
  }, 180_000);

  it('the same images as .npy files and as IDX files train to the same numbers', async () => {
    const results = await Promise.all(['npy', 'idx'].map(async (name) => {
      const out = tempDir();
      dirs.push(out);
      const r = await runCli(['sweep', `experiments/examples/${name}.yaml`, '--out', out, '--backend', 'cpu', '--workers', '1', '--set', 'train.epochs=1', '--set', 'sweep.lr=[0.1]'], ROOT);
      expect(r.code, r.stderr).toBe(0);
      return readCsvRows(join(out, 'summary.csv')).map((row) => [row.batch_size, row.final_train_loss, row.final_test_loss, row.final_test_acc]);
    }));
    expect(results[0]).toEqual(results[1]);
  }, 180_000);
});

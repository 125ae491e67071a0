import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSpec } from '../config/read-spec.ts';
import { hashDataFiles } from '../data/files/data-hash.ts';
import { inputHashesOf } from './input-hashes.ts';
import { planSweep } from './plan.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const SHAPES = resolve('experiments/examples/data/shapes.csv');

/** A folder with two copies of the example CSV and a spec over `sweepYaml`. */
function sweepOverFiles(sweepYaml: (dir: string) => string): { dir: string; spec: string } {
  const dir = mkdtempSync(join(tmpdir(), 'input-hashes-'));
  dirs.push(dir);
  copyFileSync(SHAPES, join(dir, 'a.csv'));
  copyFileSync(SHAPES, join(dir, 'b.csv'));
  const spec = join(dir, 'spec.yaml');
  writeFileSync(spec, [
    'name: files-on-an-axis',
    `data: { name: csv, path: ${join(dir, 'a.csv')}, label: label, divideBy: 255, testSize: 60 }`,
    'model: { name: mlp, hidden: [8] }',
    'train: { batchSize: 16, lr: 0.05, epochs: 1 }',
    sweepYaml(dir),
  ].join('\n'));
  return { dir, spec };
}
const plan = async (file: string) => {
  const spec = await readSpec(file);
  return planSweep(spec, undefined, await inputHashesOf(spec)).runs;
};
const byPath = (runs: Awaited<ReturnType<typeof plan>>) => new Map(runs.map((r) => [(r.config.data as { path: string }).path, r]));

describe('input hashes of files named by a sweep axis or an arm', () => {
  it('each run on an axis of files carries its own file\'s hash; replacing one file changes only its runs\' ids', async () => {
    const { dir, spec: fixed } = sweepOverFiles((d) => `sweep: { batchSize: [16], axes: { data.path: [${join(d, 'a.csv')}, ${join(d, 'b.csv')}] } }`);
    const before = byPath(await plan(fixed));
    const a = before.get(join(dir, 'a.csv'))!;
    const b = before.get(join(dir, 'b.csv'))!;
    expect((b.config.data as { hash: string }).hash).toBe(await hashDataFiles(b.config.data as never));
    writeFileSync(join(dir, 'b.csv'), readFileSync(SHAPES, 'utf8').replace(/\n\d+,/, '\n0,'));
    const after = byPath(await plan(fixed));
    expect(after.get(join(dir, 'a.csv'))!.runId).toBe(a.runId);
    expect(after.get(join(dir, 'b.csv'))!.runId).not.toBe(b.runId);
    expect((after.get(join(dir, 'b.csv'))!.config.data as { hash: string }).hash).not.toBe((b.config.data as { hash: string }).hash);
  });

  it('an arm that sets another file gets that file\'s hash', async () => {
    const { dir, spec } = sweepOverFiles((d) => `sweep:\n  batchSize: [16]\n  arms:\n    - { name: a }\n    - { name: b, set: { data.path: ${join(d, 'b.csv')} } }`);
    const before = await plan(spec);
    writeFileSync(join(dir, 'b.csv'), readFileSync(SHAPES, 'utf8').replace(/\n\d+,/, '\n0,'));
    const after = await plan(spec);
    expect(after[0]!.runId).toBe(before[0]!.runId);
    expect(after[1]!.runId).not.toBe(before[1]!.runId);
  });

  it('a sweep that varies neither data nor model plans the ids it planned without hashes', async () => {
    const { spec } = sweepOverFiles(() => 'sweep: { batchSize: [16, 64], lr: [0.02, 0.1] }');
    const read = await readSpec(spec);
    expect(await inputHashesOf(read)).toBeUndefined();
    const withModelAxis = await readSpec(spec, ['sweep.axes={"model.hidden": [[8], [16]]}']);
    const hashes = await inputHashesOf(withModelAxis);
    expect(planSweep(withModelAxis, undefined, hashes).runs.map((r) => r.runId)).toEqual(planSweep(withModelAxis).runs.map((r) => r.runId));
  });
});

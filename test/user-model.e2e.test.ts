/**
 * The user's own model through `batchlab sweep`: a model saved by tfjs's model.save (fresh and
 * loaded weights) and one built by a module train in a sweep, resume after SIGKILLs to the same
 * values as an uninterrupted sweep, and repeat bit for bit on cpu and on wasm.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareSweeps, freshCheckpoint, startSweep } from '../scripts/probes/kill-harness.ts';
import { tempDir, writeSpec } from './support/cli.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EX = join(ROOT, 'experiments/examples');

const DATA = `data: { name: npy, x: ${EX}/data/npy/x.npy, y: ${EX}/data/npy/y.npy, testX: ${EX}/data/npy/x_test.npy, testY: ${EX}/data/npy/y_test.npy, divideBy: 255, trainSize: 120 }`;
const TRAIN = 'optimizer: { name: sgd, momentum: 0.9 }\ntrain: { epochs: 6, batchSize: 8, lr: 0.05, logEvery: 3, checkpointEvery: { steps: 10 } }';
const SPECS: Record<string, string> = {
  saved: `name: saved\n${DATA}\nmodel: { name: layers, path: ${EX}/model/model.json }\n${TRAIN}\nsweep:\n  batchSize: [8]\n  arms: [{ name: fresh }, { name: loaded, set: { model.weights: load } }]\n`,
  module: `name: module\n${DATA}\nmodel: { name: module, path: ${EX}/model/cnn-module.mjs, options: { channels: [4, 8] }, ghostBatchSize: 4 }\n${TRAIN}\nsweep: { batchSize: [8, 16] }\n`,
};

describe.each(Object.keys(SPECS))('a user model (%s) in a sweep', (name) => {
  const dir = tempDir('batchlab-user-e2e-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes after 2 SIGKILLs to the values of an uninterrupted sweep (cpu)', async () => {
    const spec = writeSpec(dir, `${name}.yaml`, SPECS[name]);
    const reference = await startSweep(dir, spec, 'ref', 1, ['--backend', 'cpu']).exited;
    expect(reference.code, reference.stderr).toBe(0);
    let kills = 0;
    for (const delayMs of [150, 400]) {
      const startedAt = Date.now();
      const sweep = startSweep(dir, spec, 'out', 1, ['--backend', 'cpu']);
      await freshCheckpoint(join(dir, 'out'), startedAt, sweep.exited);
      const outcome = await Promise.race([sweep.exited, new Promise<null>((r) => setTimeout(() => r(null), delayMs))]);
      if (outcome !== null) break;
      sweep.killGroup();
      await sweep.exited;
      kills += 1;
    }
    const last = await startSweep(dir, spec, 'out', 1, ['--backend', 'cpu']).exited;
    expect(last.code, last.stderr).toBe(0);
    expect(kills).toBeGreaterThan(0);
    expect(compareSweeps(join(dir, 'out'), join(dir, 'ref'))).toEqual([]);
  }, 600_000);

  it('gives bit-identical curves when run again, on wasm', async () => {
    const spec = writeSpec(dir, `${name}-wasm.yaml`, SPECS[name]);
    for (const out of ['wasm-a', 'wasm-b']) {
      const r = await startSweep(dir, spec, out, 1, ['--backend', 'wasm']).exited;
      expect(r.code, r.stderr).toBe(0);
    }
    expect(compareSweeps(join(dir, 'wasm-b'), join(dir, 'wasm-a'))).toEqual([]);
  }, 600_000);
});

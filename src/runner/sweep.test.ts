/**
 * executeSweep with launched workers: a worker that cannot start is reported and the sweep
 * finishes on the executors it has; workers launched beyond what the sweep needs are closed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir.ts';
import type { Spec } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { specHash } from '../core/run-id.ts';
import { DEFAULT_BACKEND_OPTIONS } from '../backend/options.ts';
import { planSweep } from './plan.ts';
import { executeSweep, type SweepEvent } from './sweep.ts';
import type { WorkerLaunch } from './worker-process.ts';

function tinySpec(): Spec {
  const r = validateSpec({
    name: 'tiny', backend: 'cpu',
    data: { name: 'blobs', classes: 3, dim: 4, trainSize: 64, testSize: 16 },
    model: { name: 'mlp', hidden: [8] },
    train: { steps: 3, batchSize: 16, lr: 0.1 },
    sweep: { batchSize: [8, 16], seeds: [1, 2] },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

/** A launch that never becomes ready, recording whether it was closed. */
function failingLaunch(message: string): WorkerLaunch & { closed: boolean } {
  const launch = {
    closed: false,
    ready: Promise.reject(new Error(message)),
    setProgress: () => {},
    close: async () => {
      launch.closed = true;
    },
  };
  launch.ready.catch(() => {});
  return launch;
}

describe('executeSweep with launched workers', () => {
  const tmp = useTempDir('batchlab-sweep-');

  it('goes on without a worker that cannot start, says so, and closes every launch', async () => {
    const spec = tinySpec();
    const events: SweepEvent[] = [];
    const broken = failingLaunch('no backend here');
    const spare = failingLaunch('never used');
    const planned = planSweep(spec).runs;
    const outcome = await executeSweep({
      spec, runs: planned, plannedIds: planned.map((r) => r.runId), outDir: tmp.path, workers: 2, force: false, backendOptions: DEFAULT_BACKEND_OPTIONS,
      signal: new AbortController().signal, onEvent: (e) => events.push(e), launches: [broken, spare],
    });
    expect(outcome.records.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toContain('no backend here');
    expect(events.find((e) => e.type === 'start')).toMatchObject({ workers: 2, toRun: 4 });
    expect([broken.closed, spare.closed]).toEqual([true, true]);
    // sweep.json records the hash of the resolved spec it ran.
    const sweepJson = JSON.parse(await readFile(join(tmp.path, 'sweep.json'), 'utf8'));
    expect(sweepJson.specHash).toBe(specHash(spec));
    expect(sweepJson.specHash).toMatch(/^[0-9a-f]{64}$/);
    // ... and every planned id in plan order, so merge can order rows without planning again.
    expect(sweepJson.runIds).toEqual(planned.map((r) => r.runId));
  });
});

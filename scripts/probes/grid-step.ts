/**
 * Per-step and per-phase time of the main job's runs (experiments/quick.yaml) at chosen batch sizes,
 * through the sweep's own executeRun: ms per training step (run.json's train_s / steps) and the
 * rest of each run's wall time (evaluations, model build, files).
 * Usage: BATCHLAB_THREADS=1 node bin/run-ts.mjs scripts/probes/grid-step.ts [backend=native] [batches=16,64] [reps=3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, type BackendName } from '../../src/backend/index.ts';
import { readSpec } from '../../src/config/read-spec.ts';
import { planSweep } from '../../src/runner/plan.ts';
import { executeRun } from '../../src/runner/execute-run.ts';
import { DatasetCache } from '../../src/runner/dataset-cache.ts';

const backend = (process.argv[2] ?? 'native') as BackendName;
const batches = (process.argv[3] ?? '16,64').split(',').map(Number);
const reps = Number(process.argv[4] ?? 3);
await initBackend(backend);
const spec = await readSpec('experiments/quick.yaml');
const { runs } = planSweep(spec);
const datasets = new DatasetCache();
const dir = await mkdtemp(join(tmpdir(), 'grid-step-'));
for (const b of batches) {
  const run = runs.find((r) => r.config.train.batchSize === b && r.config.train.seed === 1)!;
  const rows: string[] = [];
  for (let i = 0; i < reps; i++) {
    const rec = await executeRun(run, join(dir, `${b}-${i}`), { datasets, environment: {} });
    const steps = rec.final.steps as number;
    rows.push(`${((1000 * rec.timings.train_s!) / steps).toFixed(3)} ms/step (${steps} steps), wall ${rec.timings.wall_s!.toFixed(2)} s, outside training ${(rec.timings.wall_s! - rec.timings.train_s!).toFixed(2)} s`);
  }
  console.log(`B=${b}: ${rows.join(' | ')}`);
}
await datasets.dispose();
await rm(dir, { recursive: true, force: true });

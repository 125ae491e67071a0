/**
 * The direct dense step against the tfjs path on the main job's runs (experiments/quick.yaml, seed
 * 1, the larger base LR) at each batch size, through the sweep's executeRun, alternating twice:
 * ms per training step (run.json's train_s / steps), the final metrics, and whether the curve
 * (every column but wall_ms) and step-losses.csv are identical.
 * Usage: BATCHLAB_THREADS=1 node bin/run-ts.mjs scripts/probes/direct-step.ts
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { readSpec } from '../../src/config/read-spec.ts';
import { planSweep } from '../../src/runner/plan.ts';
import { executeRun } from '../../src/runner/execute-run.ts';
import { DatasetCache } from '../../src/runner/dataset-cache.ts';
import { setDirectDenseSteps } from '../../src/train/direct-dense-step.ts';
await initBackend('native' as never);
const spec = await readSpec('experiments/quick.yaml');
const { runs } = planSweep(spec);
const datasets = new DatasetCache();
const dir = await mkdtemp(join(tmpdir(), 'direct-'));
let count = 0;
for (const b of [16, 64, 256, 1024]) {
  const run = runs.find((r) => r.config.train.batchSize === b && r.config.train.seed === 1 && r.config.train.lr > 0.05)!;
  const out: Record<string, string> = {};
  for (const on of [false, true, false, true]) {
    setDirectDenseSteps(on);
    const d = join(dir, `${b}-${on}-${count++}`);
    const rec = await executeRun(run, d, { datasets, environment: {} });
    const rows = (await readFile(join(d, 'curve.csv'), 'utf8')).split('\n').map((l) => l.split(','));
    const w = rows[0]!.indexOf('wall_ms');
    const curve = rows.map((r) => r.filter((_, i) => i !== w).join(',')).join('\n') + (await readFile(join(d, 'step-losses.csv'), 'utf8'));
    const key = String(on);
    if (out[key] === undefined) out[key] = curve;
    console.log(b, on ? 'direct' : 'tfjs  ', `${((1000 * rec.timings.train_s!) / (rec.final.steps as number)).toFixed(3)} ms/step`, rec.final.test_acc, rec.final.train_loss);
  }
  console.log(b, 'curves identical:', out['true'] === out['false']);
}

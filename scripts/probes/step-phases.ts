/**
 * Where one training step of the main job's MLP goes, phase by phase (batch gather, forward and
 * backward through tf.variableGrads, optimizer update, the tidy's disposal), over many steps.
 * Usage: BATCHLAB_THREADS=1 node bin/run-ts.mjs scripts/probes/step-phases.ts [backend=native] [batch=16] [steps=2000]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/backend/index.ts';
import { readSpec } from '../../src/config/read-spec.ts';
import { planSweep } from '../../src/runner/plan.ts';
import { DatasetCache } from '../../src/runner/dataset-cache.ts';
import { buildModel } from '../../src/models/index.ts';
import { createOptimizer } from '../../src/train/optimizers.ts';
import { reducedLoss } from '../../src/train/loss.ts';
import { EpochSampler } from '../../src/train/batches.ts';
import { loadNativeAddon } from '../../src/backend/native/addon.ts';

const backend = (process.argv[2] ?? 'native') as BackendName;
const batch = Number(process.argv[3] ?? 16);
const steps = Number(process.argv[4] ?? 2000);
await initBackend(backend);
// With ADDON_TIMES=1: time inside each addon function (its calls' wall time) over the measured steps.
const addonMs = new Map<string, { ms: number; calls: number }>();
let measuring = false;
const load = loadNativeAddon();
if (process.env.ADDON_TIMES && load.ok) {
  const addon = load.addon as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of Object.keys(addon)) {
    const f = addon[name];
    addon[name] = (...a: unknown[]) => {
      const t0 = performance.now();
      const r = f(...a);
      if (measuring) {
        const e = addonMs.get(name) ?? { ms: 0, calls: 0 };
        e.ms += performance.now() - t0;
        e.calls += 1;
        addonMs.set(name, e);
      }
      return r;
    };
  }
}
const spec = await readSpec('experiments/quick.yaml');
const run = planSweep(spec).runs.find((r) => r.config.train.batchSize === batch)!;
const datasets = new DatasetCache();
const data = await datasets.get(run.config.data);
const model = buildModel(run.config.model, data.inputShape, data.numOutputs, 1);
const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
const opt = createOptimizer(run.config.optimizer, vars);
const lr = tf.scalar(0.01);
const n = data.trainX.shape[0];
let sampler = new EpochSampler(n, 1);
const t = { gather: 0, grads: 0, opt: 0, tidyEnd: 0, total: 0 };
const kernels = new Map<string, number>();
for (let s = 0; s < steps; s++) {
  if (sampler.exhausted(batch)) sampler.endEpoch();
  measuring = s >= steps / 5;
  const t0 = performance.now();
  let t1 = 0, t2 = 0, t3 = 0;
  const loss = tf.tidy(() => {
    const idx = sampler.next(batch);
    const x = tf.gather(data.trainX, idx);
    const y = tf.gather(data.trainY, idx);
    t1 = performance.now();
    const { value, grads } = tf.variableGrads(() => reducedLoss('classification', 'mean', model.apply(x, { training: true }) as tf.Tensor, y), vars);
    t2 = performance.now();
    opt.apply(vars.map((v) => grads[v.name]), lr);
    t3 = performance.now();
    return tf.mul(value, batch);
  });
  const t4 = performance.now();
  loss.dispose();
  if (s >= steps / 5) {
    t.gather += t1 - t0; t.grads += t2 - t1; t.opt += t3 - t2; t.tidyEnd += t4 - t3; t.total += t4 - t0;
  }
}
const m = steps - steps / 5;
console.log(`${backend} B=${batch}: ${(t.total / m).toFixed(3)} ms/step: gather ${(t.gather / m).toFixed(3)}, forward+backward ${(t.grads / m).toFixed(3)}, optimizer ${(t.opt / m).toFixed(3)}, tidy end ${(t.tidyEnd / m).toFixed(3)}`);
for (const [name, e] of [...addonMs].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  addon ${name.padEnd(14)} ${(e.ms / m).toFixed(3)} ms/step  ${(e.calls / m).toFixed(1)} calls`);
void kernels;
opt.dispose(); sampler.dispose(); lr.dispose(); model.dispose();
await datasets.dispose();

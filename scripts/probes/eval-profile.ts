/**
 * Per-kernel self time of one evaluation (train subset + test set, inference mode) on a backend.
 * Usage: BATCHLAB_THREADS=1 node bin/run-ts.mjs scripts/probes/eval-profile.ts [backend=native] [mlp|cnn] [evalBatch=1000]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/backend/index.ts';
import { loadDataset } from '../../src/data/index.ts';
import { buildModel } from '../../src/models/index.ts';
import { withTrainEval } from '../../src/runner/train-data.ts';
import { evaluate } from '../../src/train/evaluate.ts';
import { MODEL_SPECS } from '../bench/setup.ts';

const backend = (process.argv[2] ?? 'native') as BackendName;
const which = (process.argv[3] ?? 'cnn') as 'mlp' | 'cnn';
const chunk = Number(process.argv[4] ?? 1000);
await initBackend(backend);
const dataset = await loadDataset({ name: 'mnist', trainSize: 8000, testSize: 2000, seed: 0 });
const data = withTrainEval(dataset);
const model = buildModel(MODEL_SPECS[which], dataset.inputShape, dataset.numOutputs, 1);
const once = async () => {
  await evaluate(model, data.trainEvalX, data.trainEvalY, data.task, chunk);
  await evaluate(model, data.testX, data.testY, data.task, chunk);
};
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await once();
  console.log(`evaluation ${i}: ${(performance.now() - t).toFixed(1)} ms`);
}
const info = await tf.profile(once);
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.calls += 1;
  byKernel.set(k.name, e);
}
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
  console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(2)} ms  ${e.calls} calls`);
}

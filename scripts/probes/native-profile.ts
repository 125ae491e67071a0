/**
 * Per-kernel self time of one training step of batchlab's loop on a backend (default native):
 * the bench's profile section for one cell, quick to rerun while working on kernels.
 * Usage: BATCHLAB_THREADS=1 node bin/run-ts.mjs scripts/probes/native-profile.ts [backend=native] [mlp|cnn] [batch=1024] [norm]
 * norm (batch | group | none) replaces the bench model's normalisation (the bench's CNN uses batch).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/backend/index.ts';
import { buildModel } from '../../src/models/index.ts';
import { MODEL_SPECS, loadBenchData } from '../bench/setup.ts';
import { profileLoopStep } from '../bench/profile.ts';

const backend = (process.argv[2] ?? 'native') as BackendName;
const model = (process.argv[3] ?? 'mlp') as 'mlp' | 'cnn';
const batch = Number(process.argv[4] ?? 1024);
const norm = process.argv[5] as 'batch' | 'group' | 'none' | undefined;
await initBackend(backend);
const { dataset, data } = await loadBenchData(model);
const spec = norm ? { ...MODEL_SPECS[model], norm } : MODEL_SPECS[model];
const m = buildModel(spec, dataset.inputShape, dataset.numOutputs, 1);
const p = await profileLoopStep(m, data, batch, 10);
console.log(`${backend} ${model}${norm ? ` norm ${norm}` : ''} batch ${batch}: ${p.stepMs.toFixed(2)} ms/step, ${Math.round((batch / p.stepMs) * 1000)} samples/s, kernels ${p.kernelMs.toFixed(2)} ms`);
for (const k of p.kernels.slice().sort((a, b) => b.ms - a.ms).slice(0, 14)) {
  console.log(`  ${k.kernel.padEnd(28)} ${k.ms.toFixed(3)} ms  ${k.calls.toFixed(1)} calls  ${((100 * k.ms) / p.stepMs).toFixed(1)}%`);
}
console.log(`live tensors after: ${tf.memory().numTensors}`);

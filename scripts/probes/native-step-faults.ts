/**
 * Page faults and time per training step of batchlab's loop on `native` (one cell): how much of a
 * step goes to the kernel handing out fresh pages for the step's outputs.
 * Usage: BATCHLAB_THREADS=1 node bin/run-ts.mjs scripts/probes/native-step-faults.ts [mlp|cnn] [batch=1024] [steps=50]
 */
import { initBackend } from '../../src/backend/index.ts';
import { trainModel } from '../../src/train/loop.ts';
import { buildBenchModel, loadBenchData, trainConfig } from '../bench/setup.ts';

const modelName = (process.argv[2] ?? 'mlp') as 'mlp' | 'cnn';
const batch = Number(process.argv[3] ?? 1024);
const steps = Number(process.argv[4] ?? 50);
await initBackend('native');
const { dataset, data } = await loadBenchData(modelName);
const model = buildBenchModel(modelName, dataset);
await trainModel({ model, data, config: trainConfig(batch, 5) });
for (let r = 0; r < 3; r++) {
  const u0 = process.resourceUsage();
  const { trainMs } = await trainModel({ model, data, config: trainConfig(batch, steps) });
  const u1 = process.resourceUsage();
  const faults = (u1.minorPageFault - u0.minorPageFault) / steps;
  const sys = (u1.systemCPUTime - u0.systemCPUTime) / 1000 / steps;
  const user = (u1.userCPUTime - u0.userCPUTime) / 1000 / steps;
  console.log(`${modelName} b${batch}: ${(trainMs / steps).toFixed(2)} ms/step, ${Math.round(faults)} minor page faults/step (${((faults * 4) / 1024).toFixed(1)} MB), user ${user.toFixed(2)} ms, sys ${sys.toFixed(2)} ms per step`);
}

/**
 * The optimizer section of `npm run bench`: the training step of batchlab's loop on the native
 * backend (1 thread) with plain SGD, SGD with momentum 0.9, Adam (the fused BatchlabAdamUpdate
 * kernel), Adam as the op chain (the kernel unregistered for its rounds) and plain SGD with
 * tfjs's composed softmax cross-entropy (the fused loss kernels unregistered), per model and batch.
 * Each optimizer warms up, runs a pilot that sizes its rounds, and then the optimizers' rounds
 * alternate; each reports its best round, so load from other processes favours none of them.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, SOFTMAX_XENT, SOFTMAX_XENT_GRAD } from '../../src/backend/kernel-names.ts';
import { NATIVE } from '../../src/backend/native/kernels.ts';
import { setNativeThreads } from '../../src/backend/native/addon.ts';
import { trainModel } from '../../src/train/loop.ts';
import { buildBenchModel, loadBenchData, trainConfig, useBackend, type BenchModel } from './setup.ts';
import { disposeTrainEval } from '../../src/runner/train-data.ts';

export const OPTIMIZERS = ['sgd', 'sgd momentum 0.9', 'adam', 'adam op chain', 'sgd composed loss'] as const;
export type OptimizerLabel = (typeof OPTIMIZERS)[number];

const SPECS: Record<OptimizerLabel, Record<string, unknown>> = {
  sgd: { name: 'sgd' },
  'sgd momentum 0.9': { name: 'sgd', momentum: 0.9 },
  adam: { name: 'adam' },
  'adam op chain': { name: 'adam' },
  'sgd composed loss': { name: 'sgd' },
};

/** SGD at the other sections' 0.01; Adam at its usual 0.001. */
const LR: Record<OptimizerLabel, number> = { sgd: 0.01, 'sgd momentum 0.9': 0.01, adam: 0.001, 'adam op chain': 0.001, 'sgd composed loss': 0.01 };

/** The native kernels each variant runs without (tfjs's composition instead). */
const WITHOUT: Record<OptimizerLabel, string[]> = {
  sgd: [], 'sgd momentum 0.9': [], adam: [], 'adam op chain': [ADAM_UPDATE], 'sgd composed loss': [SOFTMAX_XENT, SOFTMAX_XENT_GRAD],
};

export interface OptimizerStepCell {
  model: BenchModel;
  batch: number;
  /** Best round's wall ms per step, per optimizer. */
  msPerStep: Record<OptimizerLabel, number>;
  /**
   * Best round's process CPU ms per step (user + system; the kernels run on 1 thread): the step's
   * cost with the time other processes took on a shared machine left out.
   */
  cpuMsPerStep: Record<OptimizerLabel, number>;
  stepsPerRound: Record<OptimizerLabel, number>;
  rounds: number;
}

/** Runs `f` with the native kernels `names` unregistered, and registers them again after. */
async function without<T>(names: string[], f: () => Promise<T>): Promise<T> {
  const kernels = names.flatMap((name) => tf.getKernel(name, NATIVE) ?? []);
  kernels.forEach((k) => tf.unregisterKernel(k.kernelName, NATIVE));
  try {
    return await f();
  } finally {
    kernels.forEach((k) => tf.registerKernel(k));
  }
}

/** Optimizer step times of one model per batch, native on 1 thread; `seconds` timed per optimizer and cell. */
export async function measureOptimizerSteps(
  models: BenchModel[], batches: number[], seconds: number, rounds: number, log: (m: string) => void,
): Promise<OptimizerStepCell[]> {
  await useBackend('native');
  setNativeThreads(1);
  const cells: OptimizerStepCell[] = [];
  for (const model of models) {
    const { dataset, data } = await loadBenchData(model);
    try {
      for (const batch of batches) {
        log(`optimizer step, native 1thr ${model} batch ${batch} ...`);
        // A fresh model (same seed) per call, as a run starts: a model trained on for thousands of
        // steps, its optimizer restarted each call, reaches losses near 0 and trips the loop's
        // divergence rule (100x the first loss).
        const timed = (o: OptimizerLabel, steps: number) => without(WITHOUT[o], async () => {
          const net = buildBenchModel(model, dataset);
          const cpu = process.cpuUsage();
          const result = await trainModel({ model: net, data, config: trainConfig(batch, steps, { lr: LR[o] }, SPECS[o]) }).finally(() => net.dispose());
          const used = process.cpuUsage(cpu);
          if (result.status !== 'completed') throw new Error(`optimizer bench: ${o} ${model} batch ${batch} ended ${result.status}`);
          const { trainMs } = result;
          return { wall: trainMs, cpu: (used.user + used.system) / 1000 };
        });
        const stepsPerRound = {} as Record<OptimizerLabel, number>;
        for (const o of OPTIMIZERS) {
          await timed(o, 3);
          const pilot = (await timed(o, 5)).cpu;
          stepsPerRound[o] = Math.max(5, Math.ceil((seconds * 1000) / rounds / Math.max(pilot / 5, 1e-3)));
        }
        const inf = () => Object.fromEntries(OPTIMIZERS.map((o) => [o, Infinity])) as Record<OptimizerLabel, number>;
        const best = inf();
        const bestCpu = inf();
        for (let r = 0; r < rounds; r++) {
          for (const o of OPTIMIZERS) {
            const t = await timed(o, stepsPerRound[o]);
            best[o] = Math.min(best[o], t.wall / stepsPerRound[o]);
            bestCpu[o] = Math.min(bestCpu[o], t.cpu / stepsPerRound[o]);
          }
        }
        cells.push({ model, batch, msPerStep: best, cpuMsPerStep: bestCpu, stepsPerRound, rounds });
      }
    } finally {
      disposeTrainEval(data);
      dataset.dispose();
    }
  }
  return cells;
}

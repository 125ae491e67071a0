/**
 * Steady-state training throughput of one (model, batch) cell on the current backend, for
 * batchlab's loop (trainModel) and for tfjs-layers' model.fit on a model from the same factory.
 * Each method runs three phases: warm-up steps (discarded), a short pilot that sizes the timed
 * run to about `seconds`, and the timed run.
 */
import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';
import type { Dataset } from '../../src/data/index.ts';
import { buildBenchModel, trainConfig, type BenchModel } from './setup.ts';

export interface Budget {
  /** Target length of the timed run, seconds. */
  seconds: number;
  warmup: number;
  pilot: number;
  minSteps: number;
  maxSteps: number;
}

export interface Timing {
  samplesPerS: number;
  msPerStep: number;
  steps: number;
}

function stepsFor(budget: Budget, msPerStep: number): number {
  const want = Math.ceil((budget.seconds * 1000) / Math.max(msPerStep, 1e-3));
  return Math.min(budget.maxSteps, Math.max(budget.minSteps, want));
}

/** Pilot steps: about a fifth of the target time (at least `budget.pilot`), from the warm-up's rate. */
function pilotFor(budget: Budget, msPerStep: number): number {
  const fifth = Math.floor((budget.seconds * 200) / Math.max(msPerStep, 1e-3));
  return Math.min(budget.maxSteps, Math.max(budget.pilot, fifth));
}

function timing(batch: number, steps: number, ms: number): Timing {
  return { samplesPerS: (batch * steps) / (ms / 1000), msPerStep: ms / steps, steps };
}

/** batchlab's loop: trainMs (time in optimizer steps, evaluations excluded) of the timed run. */
export async function timeLoop(model: tf.LayersModel, data: TrainData, batch: number, budget: Budget): Promise<Timing> {
  const run = (steps: number) => trainModel({ model, data, config: trainConfig(batch, steps) });
  const warm = await run(budget.warmup);
  const pilotSteps = pilotFor(budget, warm.trainMs / budget.warmup);
  const pilot = await run(pilotSteps);
  const steps = stepsFor(budget, pilot.trainMs / pilotSteps);
  const timed = await run(steps);
  return timing(batch, timed.steps, timed.trainMs);
}

/**
 * model.fit with tf.train.sgd and softmax cross-entropy on logits, on the first k*batch train
 * examples (no partial batches). Timed from the first to the last onBatchEnd of the timed call,
 * so fit's per-call setup is excluded, as the loop's evaluations are.
 */
export async function timeFit(model: tf.LayersModel, data: TrainData, batch: number, budget: Budget): Promise<Timing> {
  const n = data.trainX.shape[0];
  const rows = Math.floor(n / batch) * batch;
  const x = tf.slice(data.trainX, 0, rows);
  const y = tf.slice(data.trainY, 0, rows);
  const perEpoch = rows / batch;
  model.compile({ optimizer: tf.train.sgd(0.01), loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) });
  const fitSteps = async (steps: number): Promise<Timing> => {
    const stamps: number[] = [];
    await model.fit(x, y, {
      batchSize: batch,
      epochs: Math.ceil(steps / perEpoch),
      shuffle: true,
      verbose: 0,
      callbacks: {
        onBatchEnd: async () => {
          stamps.push(performance.now());
          if (stamps.length >= steps) model.stopTraining = true;
        },
      },
    });
    const done = stamps.length - 1;
    return timing(batch, done, stamps[stamps.length - 1] - stamps[0]);
  };
  try {
    const warm = await fitSteps(budget.warmup + 1);
    const pilot = await fitSteps(pilotFor(budget, warm.msPerStep) + 1);
    const steps = stepsFor(budget, pilot.msPerStep);
    return await fitSteps(steps + 1);
  } finally {
    tf.dispose([x, y]);
    (model.optimizer as tf.Optimizer | undefined)?.dispose();
  }
}

/** Both methods on fresh models of the same factory and seed; the caller owns `dataset`/`data`. */
export async function timeCell(
  modelName: BenchModel, dataset: Dataset, data: TrainData, batch: number, budget: Budget,
): Promise<{ loop: Timing; fit: Timing }> {
  const a = buildBenchModel(modelName, dataset);
  let loop: Timing;
  try {
    loop = await timeLoop(a, data, batch, budget);
  } finally {
    a.dispose();
  }
  const b = buildBenchModel(modelName, dataset);
  try {
    return { loop, fit: await timeFit(b, data, batch, budget) };
  } finally {
    b.dispose();
  }
}

/**
 * Steady-state training throughput of one (model, batch) cell on the current backend, for
 * batchlab's loop (trainModel) and for tfjs-layers' model.fit on a model from the same factory.
 * Each method warms up (steps discarded) and runs a short pilot that sizes its timed runs; then
 * the two methods' timed runs alternate for `rounds` rounds and each reports its best round.
 * Alternating and taking the best keeps other processes on a shared machine from favouring
 * whichever method happened to run while the machine was quiet.
 */
import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';
import type { Dataset } from '../../src/data/index.ts';
import { buildBenchModel, trainConfig, type BenchModel } from './setup.ts';

export interface Budget {
  /** Target length of all timed runs of one method together, seconds. */
  seconds: number;
  rounds: number;
  warmup: number;
  pilot: number;
  minSteps: number;
  maxSteps: number;
}

export interface Timing {
  /** Best round. */
  samplesPerS: number;
  msPerStep: number;
  /** Timed steps over all rounds. */
  steps: number;
  /** samples/s of every round, in order. */
  rounds: number[];
}

/** A method prepared for timing: `timed(n)` trains n more steps and returns their ms. */
interface Method {
  timed(steps: number): Promise<number>;
  dispose(): void;
}

function clampSteps(budget: Budget, want: number, min: number): number {
  return Math.min(budget.maxSteps, Math.max(min, Math.ceil(want)));
}

/** batchlab's loop: trainMs (time in optimizer steps, evaluations excluded) of each call. */
function loopMethod(model: tf.LayersModel, data: TrainData, batch: number): Method {
  return {
    timed: async (steps) => (await trainModel({ model, data, config: trainConfig(batch, steps) })).trainMs,
    dispose: () => {},
  };
}

/**
 * model.fit with tf.train.sgd and softmax cross-entropy on logits, on the first k*batch train
 * examples (no partial batches). Each call runs steps+1 batches and is timed from the first to
 * the last onBatchEnd, so fit's per-call setup is excluded, as the loop's evaluations are.
 */
function fitMethod(model: tf.LayersModel, data: TrainData, batch: number): Method {
  const rows = Math.floor(data.trainX.shape[0] / batch) * batch;
  const x = tf.slice(data.trainX, 0, rows);
  const y = tf.slice(data.trainY, 0, rows);
  const perEpoch = rows / batch;
  const optimizer = tf.train.sgd(0.01);
  model.compile({ optimizer, loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp) });
  return {
    async timed(steps) {
      const stamps: number[] = [];
      await model.fit(x, y, {
        batchSize: batch,
        epochs: Math.ceil((steps + 1) / perEpoch),
        shuffle: true,
        verbose: 0,
        callbacks: {
          onBatchEnd: async () => {
            stamps.push(performance.now());
            if (stamps.length > steps) model.stopTraining = true;
          },
        },
      });
      return stamps[stamps.length - 1] - stamps[0];
    },
    dispose: () => {
      tf.dispose([x, y]);
      optimizer.dispose();
    },
  };
}

/** Warm-up, then a pilot of about a tenth of the budget; returns steps per timed round. */
async function prepare(m: Method, budget: Budget): Promise<number> {
  const warmMs = await m.timed(budget.warmup);
  const pilotSteps = clampSteps(budget, (budget.seconds * 100) / Math.max(warmMs / budget.warmup, 1e-3), budget.pilot);
  const pilotMs = await m.timed(pilotSteps);
  const perRound = (budget.seconds * 1000) / budget.rounds;
  return clampSteps(budget, perRound / Math.max(pilotMs / pilotSteps, 1e-3), budget.minSteps);
}

function summarize(batch: number, steps: number, ms: number[]): Timing {
  const rounds = ms.map((t) => (batch * steps) / (t / 1000));
  const best = Math.max(...rounds);
  return { samplesPerS: best, msPerStep: (batch * 1000) / best, steps: steps * ms.length, rounds };
}

/** Both methods on fresh models of the same factory and seed; the caller owns `dataset`/`data`. */
export async function timeCell(
  modelName: BenchModel, dataset: Dataset, data: TrainData, batch: number, budget: Budget,
): Promise<{ loop: Timing; fit: Timing }> {
  const a = buildBenchModel(modelName, dataset);
  const b = buildBenchModel(modelName, dataset);
  const loop = loopMethod(a, data, batch);
  const fit = fitMethod(b, data, batch);
  try {
    const loopSteps = await prepare(loop, budget);
    const fitSteps = await prepare(fit, budget);
    const loopMs: number[] = [];
    const fitMs: number[] = [];
    for (let r = 0; r < budget.rounds; r++) {
      loopMs.push(await loop.timed(loopSteps));
      fitMs.push(await fit.timed(fitSteps));
    }
    return { loop: summarize(batch, loopSteps, loopMs), fit: summarize(batch, fitSteps, fitMs) };
  } finally {
    loop.dispose();
    fit.dispose();
    a.dispose();
    b.dispose();
  }
}

/** One optimizer update: the batch gathered on the device, gradients accumulated over micro-batches, the update applied. */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/schema.ts';
import type { EpochSampler } from './batches.ts';
import type { DirectStep } from './direct-dense-step.ts';
import { reducedLoss } from './loss.ts';
import type { Optimizer } from './optimizers.ts';
import type { TrainData } from './types.ts';

export interface StepArgs {
  model: tf.LayersModel;
  data: TrainData;
  reduction: RunConfig['loss']['reduction'];
  vars: tf.Variable[];
  optimizer: Optimizer;
  sampler: EpochSampler;
  /** The direct dense step for this run, where it applies (direct-dense-step.ts); taken for single micro-batches. */
  direct?: DirectStep | null;
}

/**
 * One optimizer update over `batchSize` examples split into `microBatches` micro-batches. Returns the summed
 * per-example loss of the batch as a kept scalar (the caller disposes it). Reads nothing back from the device.
 */
export function runStep(
  { model, data, reduction, vars, optimizer, sampler, direct }: StepArgs, batchSize: number, microBatches: number, lr: tf.Scalar,
): tf.Scalar {
  if (direct && microBatches === 1) return direct(batchSize, lr);
  const micro = batchSize / microBatches;
  return tf.tidy(() => {
    let grads: tf.Tensor[] | null = null;
    let lossSum: tf.Tensor | null = null;
    for (let i = 0; i < microBatches; i++) {
      const idx = sampler.next(micro);
      const x = tf.gather(data.trainX, idx);
      const y = tf.gather(data.trainY, idx);
      const { value, grads: g } = tf.variableGrads(
        () => reducedLoss(data.task, reduction, model.apply(x, { training: true }) as tf.Tensor, y), vars);
      const list = vars.map((v) => g[v.name]);
      grads = grads === null ? list : grads.map((a, j) => tf.add(a, list[j]));
      const part = reduction === 'mean' ? tf.mul(value, micro) : value;
      // The first part as it is (0 + x is x): one GPU dispatch less per step on webgpu.
      lossSum = lossSum === null ? part : tf.add(lossSum, part);
    }
    // Mean reduction averages the micro-batch means; sum reduction keeps the sum over all examples.
    const finalGrads = reduction === 'mean' && microBatches > 1 ? grads!.map((g) => tf.div(g, microBatches)) : grads!;
    optimizer.apply(finalGrads, lr);
    return lossSum! as tf.Scalar;
  });
}

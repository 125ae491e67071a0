/**
 * Where a training step of batchlab's loop spends its time on the current backend: per-kernel
 * self time over N steady steps (profile of N+1 steps minus a profile of 1 step, so warm-up
 * and the loop's start/end evaluations cancel out).
 */
import type * as tf from '@tensorflow/tfjs';
import * as tfc from '@tensorflow/tfjs';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';
import { diffProfiles, profileKernels, type KernelCost } from './kernel-profile.ts';
import { trainConfig } from './setup.ts';

export interface StepProfile {
  stepMs: number;
  kernelMs: number;
  kernels: KernelCost[];
  steps: number;
}

export async function profileLoopStep(model: tf.LayersModel, data: TrainData, batch: number, steps: number): Promise<StepProfile> {
  const backend = tfc.getBackend();
  const run = (n: number) => trainModel({ model, data, config: trainConfig(batch, n) });
  await run(3); // warm-up, unprofiled
  let oneMs = 0;
  let manyMs = 0;
  const one = await profileKernels(backend, async () => { oneMs = (await run(1)).trainMs; });
  const many = await profileKernels(backend, async () => { manyMs = (await run(steps + 1)).trainMs; });
  const kernels = diffProfiles(many, one).map((k) => ({ ...k, ms: k.ms / steps, calls: k.calls / steps }));
  const kernelMs = kernels.reduce((s, k) => s + k.ms, 0);
  return { stepMs: (manyMs - oneMs) / steps, kernelMs, kernels, steps };
}

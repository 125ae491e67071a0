/**
 * batchlab's own WGSL kernels for tfjs's webgpu backend, registered for 'webgpu' only when that
 * backend starts (webgpu.ts). Each file registers its kernels:
 *
 * - batch-norm.ts: BatchlabBatchNormTrain / ...Grad (models/batch-norm-train.ts), 2 + 2 dispatches,
 *   and BatchlabBatchNormMoving (models/batch-norm.ts), the moving statistics in one.
 * - group-norm.ts: BatchlabGroupNorm / ...Grad (models/group-norm-kernel.ts), 2 + 2 dispatches.
 * - sgd-update.ts: BatchlabSgdUpdate (train/optimizers.ts), one dispatch per variable, and
 *   BatchlabSgdUpdatePair, plain SGD of two variables in one.
 * - adam-update.ts: BatchlabAdamUpdate (train/optimizers.ts), one dispatch per variable.
 * - softmax-cross-entropy.ts: BatchlabSoftmaxCrossEntropy / ...Grad (train/softmax-cross-entropy.ts),
 *   one dispatch each way, the batch mean or sum included.
 *
 * fused-program.ts runs a shader with several outputs in one dispatch through tfjs's own
 * recording path.
 */
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormWebgpu } from './batch-norm.ts';
import { registerGroupNormWebgpu } from './group-norm.ts';
import { registerSgdUpdateWebgpu } from './sgd-update.ts';
import { registerAdamUpdateWebgpu } from './adam-update.ts';
import { registerSoftmaxCrossEntropyWebgpu } from './softmax-cross-entropy.ts';
import {
  ADAM_UPDATE, BN_MOVING, BN_TRAIN, BN_TRAIN_GRAD, GN, GN_GRAD, SGD_UPDATE, SGD_UPDATE_PAIR, SOFTMAX_XENT, SOFTMAX_XENT_GRAD,
} from '../kernel-names.ts';

export function registerWebgpuKernels(): void {
  registerBatchNormWebgpu();
  registerGroupNormWebgpu();
  registerSgdUpdateWebgpu();
  registerAdamUpdateWebgpu();
  registerSoftmaxCrossEntropyWebgpu();
}

/** The kernels registerWebgpuKernels registers, by name. */
export const WEBGPU_KERNEL_NAMES = [
  BN_TRAIN, BN_TRAIN_GRAD, BN_MOVING, GN, GN_GRAD, SGD_UPDATE, SGD_UPDATE_PAIR, ADAM_UPDATE, SOFTMAX_XENT, SOFTMAX_XENT_GRAD,
];

/**
 * Removes them again (for before/after measurements): the norm pairs then fall back to their
 * composed versions on next use, the optimizers and the loss to their op chains.
 */
export function unregisterWebgpuKernels(): void {
  for (const name of WEBGPU_KERNEL_NAMES) if (tf.getKernel(name, 'webgpu') != null) tf.unregisterKernel(name, 'webgpu');
}

/**
 * batchlab's own kernels for tfjs's webgpu backend (tfjs-backend-webgpu 4.22), registered by
 * `registerWebgpuKernels()` once the package is imported (webgpu.ts).
 *
 * In place of stock kernels (each falls back to the stock one for what it does not handle):
 * - Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter: the stock kernels give each filter
 *   element one thread that sums over batch x output positions in sequence (a cost linear in the
 *   batch that a GPU cannot spread). Here the positions are split into chunks summed by many
 *   threads, then the chunks are added in a fixed order: deterministic, no atomics.
 * - Conv2D, FusedConv2D (bias, linear / ReLU / ReLU6) and Conv2DBackpropInput, NHWC: one program
 *   where each thread computes a register tile of up to 8 output pixels x 16 output channels, so
 *   each input and filter value it loads feeds several multiply-adds; the input gradient is the
 *   same program reading dy with the filter transposed (conv2d-tiled.ts, conv2d-tiled-kernels.ts).
 * - MaxPoolGrad: one dispatch (each input element finds the argmax of the windows covering it)
 *   in place of the stock pair of programs (argmax positions, then their gradient) (max-pool-grad.ts).
 * - Sum and Mean over axes that leave the last one (global average pooling, bias gradients): one
 *   dispatch reading the tensor in place, where the stock kernel transposes first (reduce-middle.ts).
 *
 * batchlab's own kernel names (kernel-names.ts), in WGSL, so a step runs fewer dispatches:
 * - batch-norm.ts: BatchlabBatchNormTrain / ...Grad (models/batch-norm-train.ts), 2 + 2 dispatches,
 *   and BatchlabBatchNormMoving (models/batch-norm.ts), the moving statistics in one.
 * - group-norm.ts: BatchlabGroupNorm / ...Grad (models/group-norm-kernel.ts), 2 + 2 dispatches.
 * - sgd-update.ts: BatchlabSgdUpdate (train/optimizers.ts), one dispatch per variable, and
 *   BatchlabSgdUpdatePair, plain SGD of two variables in one.
 * - adam-update.ts: BatchlabAdamUpdate (train/optimizers.ts), one dispatch per variable.
 * - softmax-cross-entropy.ts: BatchlabSoftmaxCrossEntropy / ...Grad (train/softmax-cross-entropy.ts),
 *   one dispatch each way, the batch mean or sum included.
 * fused-program.ts runs such a shader, with several outputs, in one dispatch through tfjs's own
 * recording path.
 */
import * as tf from '@tensorflow/tfjs';
import { registerConv2dBackpropFilter } from './conv2d-backprop-filter.ts';
import { registerDepthwiseBackpropFilter } from './depthwise-backprop-filter.ts';
import { restoreStockWebgpuKernels as restoreReplaced } from './replace-kernel.ts';
import { registerBatchNormWebgpu } from './batch-norm.ts';
import { registerGroupNormWebgpu } from './group-norm.ts';
import { registerSgdUpdateWebgpu } from './sgd-update.ts';
import { registerAdamUpdateWebgpu } from './adam-update.ts';
import { registerSoftmaxCrossEntropyWebgpu } from './softmax-cross-entropy.ts';
import {
  ADAM_UPDATE, BN_MOVING, BN_TRAIN, BN_TRAIN_GRAD, GN, GN_GRAD, SGD_UPDATE, SGD_UPDATE_PAIR, SOFTMAX_XENT, SOFTMAX_XENT_GRAD,
} from '../kernel-names.ts';
import { registerConv2dTiled } from './conv2d-tiled-kernels.ts';
import { registerMaxPoolGrad } from './max-pool-grad.ts';
import { registerReduceMiddle } from './reduce-middle.ts';

/** batchlab's own kernel names this folder registers for webgpu. */
export const WEBGPU_KERNEL_NAMES = [
  BN_TRAIN, BN_TRAIN_GRAD, BN_MOVING, GN, GN_GRAD, SGD_UPDATE, SGD_UPDATE_PAIR, ADAM_UPDATE, SOFTMAX_XENT, SOFTMAX_XENT_GRAD,
];

/** Registers every kernel of this folder for 'webgpu'; a second call changes nothing. */
export function registerWebgpuKernels(): void {
  registerConv2dBackpropFilter();
  registerDepthwiseBackpropFilter();
  registerConv2dTiled();
  registerMaxPoolGrad();
  registerReduceMiddle();
  registerBatchNormWebgpu();
  registerGroupNormWebgpu();
  registerSgdUpdateWebgpu();
  registerAdamUpdateWebgpu();
  registerSoftmaxCrossEntropyWebgpu();
}

/**
 * Webgpu as tfjs ships it, for measurements and checks: the stock kernels back in place of the
 * replaced ones, and batchlab's own names removed (the norm pairs then fall back to their
 * composed versions on next use, the optimizers and the loss to their op chains).
 * registerWebgpuKernels() afterwards works as the first time.
 */
export function restoreStockWebgpuKernels(): void {
  restoreReplaced();
  for (const name of WEBGPU_KERNEL_NAMES) if (tf.getKernel(name, 'webgpu') != null) tf.unregisterKernel(name, 'webgpu');
}

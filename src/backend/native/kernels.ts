/**
 * The `native` backend's kernels: tfjs's cpu backend (its memory, its kernels) with the kernels
 * a training step spends its time in replaced by calls into the native addon (addon.ts), one
 * file per family under kernels/, as the addon's C++ is split under native/src/:
 *
 * - gemm.ts: BatchMatMul, _FusedMatMul (bias [N], linear or ReLU): one sgemm per batch entry
 *   (oneDNN's, or OpenBLAS's with BATCHLAB_NATIVE_GEMM=openblas), bias and ReLU fused.
 * - conv.ts: Conv2D, FusedConv2D (bias, linear or ReLU), Conv2DBackpropInput, Conv2DBackpropFilter.
 * - pool.ts: MaxPool, MaxPoolGrad.
 * - elementwise.ts: Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference (any
 *   broadcast); Relu, Relu6, Step (ReLU's gradient), Neg, Square, Exp, Log, Sqrt, Rsqrt, Abs.
 * - reduce.ts: Sum, Mean, Max over one contiguous block of axes.
 * - layout.ts: Transpose (two adjacent blocks of axes swapped), GatherV2 along axis 0.
 * - norm.ts: BatchlabBatchNormTrain / ...Grad and BatchlabGroupNorm / ...Grad.
 * - optimizer.ts: BatchlabSgdUpdate, in place when nothing else can hold the arrays.
 * - adam.ts: BatchlabAdamUpdate, in place likewise.
 * - softmax-xent.ts: BatchlabSoftmaxCrossEntropy / ...Grad, the loss and its gradient in one
 *   call each, with the bits of the composition they replace.
 *
 * Each kernel runs natively in its common case (float32, NHWC, the broadcasts and reductions
 * listed) and hands anything else to the cpu backend's own kernel, so every op still works and
 * gives the cpu backend's answer. Outputs are fresh Float32Arrays allocated here and owned by the
 * backend like any cpu tensor; the addon only reads and writes them (kernels/support.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, SGD_UPDATE } from '../kernel-names.ts';
import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from '../options.ts';
import type { NativeAddon } from './addon.ts';
import { convKernels } from './kernels/conv.ts';
import { elementwiseKernels } from './kernels/elementwise.ts';
import { gemmKernels } from './kernels/gemm.ts';
import { layoutKernels } from './kernels/layout.ts';
import { normKernels } from './kernels/norm.ts';
import { adamUpdateKernel } from './kernels/adam.ts';
import { sgdUpdateKernel } from './kernels/optimizer.ts';
import { poolKernels } from './kernels/pool.ts';
import { reduceKernels } from './kernels/reduce.ts';
import { softmaxXentKernels } from './kernels/softmax-xent.ts';
import { NATIVE, withOpName, type NamedKernels } from './kernels/support.ts';

export { broadcastStrides } from './kernels/elementwise.ts';
export { blockSwap } from './kernels/layout.ts';
export { pinningInputs, pinValues, VIEW_KERNELS } from './kernels/optimizer.ts';
export { contiguousReduction } from './kernels/reduce.ts';
export { NATIVE, setOutputPoison } from './kernels/support.ts';

/**
 * The SGD kernel, unless `fusedSgd` is false (BATCHLAB_NATIVE_SGD=off: the optimizer's op chain
 * instead, the update as before this kernel, for comparisons) or the addon predates it (then the
 * op chain too); and the Adam kernel, unless the addon predates it.
 */
function optimizerKernels(addon: NativeAddon, fusedSgd: boolean): NamedKernels {
  const kernels: NamedKernels = [];
  if (fusedSgd && addon.sgdUpdate !== undefined) kernels.push([SGD_UPDATE, sgdUpdateKernel(addon.sgdUpdate)]);
  if (addon.adamUpdate !== undefined) kernels.push([ADAM_UPDATE, adamUpdateKernel(addon.adamUpdate)]);
  return kernels;
}

/**
 * Every kernel the native backend runs natively (the rest are the cpu backend's, copied), with
 * the GEMM library and fused SGD of `options`.
 */
export function nativeKernelConfigs(
  addon: NativeAddon, options: Pick<BackendOptions, 'gemm' | 'fusedSgd'> = DEFAULT_BACKEND_OPTIONS,
): tf.KernelConfig[] {
  const funcs: NamedKernels = [
    ...elementwiseKernels(addon),
    ...reduceKernels(addon),
    ...layoutKernels(addon),
    ...gemmKernels(addon, options.gemm),
    ...convKernels(addon),
    ...poolKernels(addon),
    ...normKernels(addon),
    ...softmaxXentKernels(addon),
    ...optimizerKernels(addon, options.fusedSgd),
  ];
  return funcs.map(([kernelName, kernelFunc]) => ({ kernelName, backendName: NATIVE, kernelFunc: withOpName(kernelName, kernelFunc) }));
}

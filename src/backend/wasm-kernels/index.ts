/**
 * Training kernels for tfjs's wasm backend (tfjs 4.22).
 *
 * Stock wasm runs inference well (XNNPACK) but cannot train common models correctly or fast.
 * `registerWasmTrainingKernels()` fixes that from TypeScript by registering kernels composed of
 * ops wasm already runs fast. Each fix, and the stock problem behind it:
 *
 * - Conv2DBackpropFilter (missing: conv2d has no filter gradient, so no CNN trains). For filters
 *   with few taps x input channels (KH*KW*C <= 32, e.g. a first layer on grey images): the
 *   transposed patch matrix is written from JavaScript into the heap and multiplied by dy in one
 *   untransposed XNNPACK GEMM. Otherwise one XNNPACK Conv2D: input channels become the batch,
 *   the batch becomes the contraction channel and dy becomes a filter dilated by the stride.
 * - Conv2DBackpropInput (present but a plain loop). Replaced by a stride-1 XNNPACK Conv2D of the
 *   zero-upsampled, padded dy with the flipped filter.
 * - DepthwiseConv2dNativeBackpropFilter / ...BackpropInput (missing). Filter: per-tap strided
 *   slice x dy and a sum; input: depthwise conv of the upsampled dy with the flipped filter.
 * - UnsortedSegmentSum (missing: tf.gather's gradient, hence embeddings). ScatterNd, which
 *   adds duplicate indices; out-of-range ids are dropped like on cpu.
 * - MaxPoolGrad (WRONG: the running max starts at FLT_MIN, +1.18e-38, not -inf, so windows whose
 *   values are all <= 0 get no gradient; after ReLU or on negative inputs most of it is lost).
 *   Unregistered and replaced by a first-max version matching the cpu backend, one JavaScript
 *   pass over the heap. MaxPool3DGrad and MaxPoolWithArgmax share the stock bug and are left
 *   alone (nothing here uses them). AvgPoolGrad is present and agrees with cpu, so it is kept.
 * - BatchMatMul (slow when transposed: XNNPACK is used only without transposes at batch 1, and
 *   every Dense backward product is transposed). The stock kernel is wrapped: the operand is
 *   transposed physically and the stock kernel called untransposed.
 * - Tile (slow element-by-element copy; tf.broadcastTo and tf.where go through it). Wrapped:
 *   float32/int32 tiles run as a broadcast add of x with zeros.
 * - Sum and Mean (slow over leading axes: reducing NHWC over [N,H,W], as batch norm does in
 *   both passes, is ~10x slower than it needs to be). Wrapped: float32 reductions over leading
 *   axes run as ones[1,R] x x[R,C] on XNNPACK.
 * - Identity (copies: the engine clones every tensor it saves for the backward pass). Wrapped:
 *   numeric tensors share their data by reference count, as on the cpu backend.
 * - GatherV2 (slow: per-element index arithmetic; every training batch is gathered). Wrapped:
 *   gathers along axis 0 copy whole rows from the wasm heap.
 * - Transpose (slow for large matrices: strided element-by-element writes; the BatchMatMul
 *   wrapper above transposes an MLP's input batch every step). Wrapped: permutations that swap
 *   two blocks of axes run as a tiled copy in JavaScript over the heap.
 * - BatchlabBatchNormTrain / ...Grad (batchlab's own training-mode batch norm, see
 *   src/models/batch-norm-train.ts): two reads and one write of the heap per direction.
 *
 * Kernels that write the heap directly (GatherV2, Transpose, MaxPoolGrad, the patch matrix)
 * allocate their output first and take typed-array views after, since an allocation may grow
 * the heap and detach earlier views. All composed kernels run tfjs ops inside the kernel;
 * intermediates are disposed and the result tensor is handed to the engine as the kernel
 * output, so no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { EnvironmentError } from '../../errors.ts';
import { fastTransposedMatMulConfig } from './batch-mat-mul.ts';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.ts';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.ts';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { fastMeanConfig, fastSumConfig } from './leading-axes-reduce.ts';
import { fastTileConfig } from './tile.ts';
import { fastTransposeConfig } from './transpose.ts';
import { fastGatherConfig } from './gather-rows.ts';
import { zeroCopyIdentityConfig } from './identity.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';
import { batchNormKernelConfigs } from '../batch-norm-kernels.ts';

const BACKEND = 'wasm';
/** Marks kernel functions registered here, so a second call neither re-registers nor double-wraps. */
const OURS = Symbol.for('batchlab.wasmTrainingKernel');

type Marked = tf.KernelFunc & { [OURS]?: true };

function isOurs(kernelName: string): boolean {
  const k = tf.getKernel(kernelName, BACKEND);
  return k != null && (k.kernelFunc as Marked)[OURS] === true;
}

function install(config: tf.KernelConfig): void {
  (config.kernelFunc as Marked)[OURS] = true;
  if (tf.getKernel(config.kernelName, BACKEND) != null) tf.unregisterKernel(config.kernelName, BACKEND);
  tf.registerKernel(config);
}

/** Kernels that replace (or supply) the stock ones outright. */
const COMPOSED: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  ...batchNormKernelConfigs('wasm'),
];

/** Kernels that wrap the stock one and fall back to it outside their fast case. */
const WRAPPERS: Readonly<Record<string, (original: tf.KernelConfig) => tf.KernelConfig>> = {
  BatchMatMul: fastTransposedMatMulConfig,
  Tile: fastTileConfig,
  Sum: fastSumConfig,
  Mean: fastMeanConfig,
  Identity: zeroCopyIdentityConfig,
  GatherV2: fastGatherConfig,
  Transpose: fastTransposeConfig,
};

/**
 * Registers the training kernels above for the 'wasm' backend. Call after importing
 * '@tensorflow/tfjs-backend-wasm' (before or after tf.setBackend('wasm')); calling it again
 * is a no-op. Throws EnvironmentError when the wasm backend's kernels are not registered.
 */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('BatchMatMul', BACKEND) == null) {
    throw new EnvironmentError(
      "the tfjs wasm backend is not loaded: import '@tensorflow/tfjs-backend-wasm' before registering its training kernels",
    );
  }
  for (const config of COMPOSED) {
    if (!isOurs(config.kernelName)) install({ ...config });
  }
  for (const [kernelName, wrap] of Object.entries(WRAPPERS)) {
    if (isOurs(kernelName)) continue;
    const original = tf.getKernel(kernelName, BACKEND);
    if (original == null) continue;
    // The wrapper keeps the stock setupFunc, so registering before setBackend still sets it up.
    install(wrap(original));
  }
}

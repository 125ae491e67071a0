/**
 * batchlab's own kernels for tfjs's webgpu backend (tfjs-backend-webgpu 4.22), registered by
 * `registerWebgpuKernels()` once the package is imported (webgpu.ts). Each file registers one
 * kernel in place of the stock one and falls back to it for what it does not handle:
 *
 * - Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter: the stock kernels give each filter
 *   element one thread that sums over batch x output positions in sequence (a cost linear in the
 *   batch that a GPU cannot spread). Here the positions are split into chunks summed by many
 *   threads, then the chunks are added in a fixed order: deterministic, no atomics.
 * - Conv2D with few taps x input channels (KH*KW*C <= 64, a first layer): the stock matrix
 *   product is tiled for a long inner dimension; here one thread computes one output pixel for
 *   up to 4 output channels (conv2d-direct.ts).
 */
import { registerConv2dBackpropFilter } from './conv2d-backprop-filter.ts';
import { registerDepthwiseBackpropFilter } from './depthwise-backprop-filter.ts';
import { registerConv2dDirect } from './conv2d-direct.ts';

export { restoreStockWebgpuKernels } from './replace-kernel.ts';

/** Registers every kernel of this folder for 'webgpu'; a second call is a no-op. */
export function registerWebgpuKernels(): void {
  registerConv2dBackpropFilter();
  registerDepthwiseBackpropFilter();
  registerConv2dDirect();
}

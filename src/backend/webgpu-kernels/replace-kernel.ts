/**
 * Puts a batchlab kernel in place of tfjs-webgpu's own for one kernel name. The stock kernel is
 * kept and handed to the replacement, which calls it for any input or attribute it does not
 * handle. Replacing twice is a no-op: the registered function is marked as batchlab's.
 * `restoreStockWebgpuKernels()` undoes every replacement.
 */
import * as tf from '@tensorflow/tfjs';
import { EnvironmentError } from '../../errors.ts';

const BACKEND = 'webgpu';
const OURS = Symbol.for('batchlab.webgpuKernel');

type Marked = tf.KernelFunc & { [OURS]?: true };

/** The stock registrations replaced so far, to put back. */
const stockConfigs = new Map<string, tf.KernelConfig>();

/** Whether `kernelName` on webgpu is already batchlab's. */
export function isBatchlabWebgpuKernel(kernelName: string): boolean {
  const k = tf.getKernel(kernelName, BACKEND);
  return k != null && (k.kernelFunc as Marked)[OURS] === true;
}

/**
 * Registers `make(stock)` for `kernelName` on webgpu, where `stock` is the kernel function tfjs
 * registered. Throws EnvironmentError when tfjs-backend-webgpu has not registered that kernel
 * (the package must be imported first, which webgpu.ts does).
 */
export function replaceWebgpuKernel(kernelName: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  if (isBatchlabWebgpuKernel(kernelName)) return;
  const stock = tf.getKernel(kernelName, BACKEND);
  if (stock == null) {
    throw new EnvironmentError(`tfjs-backend-webgpu has no ${kernelName} kernel to replace: import '@tensorflow/tfjs-backend-webgpu' first`);
  }
  const kernelFunc = make(stock.kernelFunc) as Marked;
  kernelFunc[OURS] = true;
  stockConfigs.set(kernelName, stock);
  tf.unregisterKernel(kernelName, BACKEND);
  tf.registerKernel({ ...stock, kernelFunc });
}

/**
 * Puts tfjs-webgpu's own kernels back in place of every one replaced (to measure or check
 * against them); replacing again afterwards works as the first time.
 */
export function restoreStockWebgpuKernels(): void {
  for (const [kernelName, stock] of stockConfigs) {
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel(stock);
  }
  stockConfigs.clear();
}

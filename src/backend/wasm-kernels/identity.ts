/**
 * Zero-copy Identity for wasm. The stock kernel copies the tensor's bytes, and the engine calls
 * Identity (tf.clone) for every tensor it saves for the backward pass, so a training step copies
 * each saved activation once (72 copies a step for a small CNN). Tensors are immutable and
 * wasm's data already carries a reference count (Reshape shares data the same way), so the
 * output can share the input's data, as the cpu backend's Identity does.
 */
import type * as tf from '@tensorflow/tfjs';
import { heapBackend } from './heap-access.ts';

/** Wraps the stock Identity: numeric tensors share their data; strings go through the stock copy. */
export function zeroCopyIdentityConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x;
    if (x == null || x.dtype === 'string') return original.kernelFunc(args);
    heapBackend(args.backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
  return { ...original, kernelFunc };
}

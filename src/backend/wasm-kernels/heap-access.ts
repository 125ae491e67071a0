/**
 * Direct access to the wasm backend's heap for kernels that only move memory. Such kernels do
 * not need a wasm function: a typed-array copy in JavaScript runs at memcpy speed.
 */
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: tf.DataId): void;
}

export function heapBackend(backend: unknown): WasmHeapBackend {
  return backend as WasmHeapBackend;
}

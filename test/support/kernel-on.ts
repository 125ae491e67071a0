/**
 * Runs one tfjs kernel by name on a backend from host values and reads its first output back:
 * the reference-against-candidate step of the webgpu kernel tests. Every tensor it makes is
 * disposed. Values are read with `await data()` (dataSync() on webgpu throws in Node).
 */
import * as tf from '@tensorflow/tfjs';

export interface HostTensor {
  shape: number[];
  values: Float32Array;
}

export async function runKernelOn(
  backend: string, kernelName: string, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const named = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  const out = tf.engine().runKernel(kernelName, named, attrs as never) as tf.Tensor;
  const values = Float32Array.from(await out.data());
  const shape = out.shape.slice();
  tf.dispose([...Object.values(named), out]);
  return { shape, values };
}

/** Whether two float arrays hold the same bits. */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

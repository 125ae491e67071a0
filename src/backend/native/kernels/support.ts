/**
 * What every native kernel shares: reading a tensor's values, allocating outputs, the cpu
 * backend's kernel as the fallback, and naming the tfjs kernel in errors.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { InternalError } from '../../../errors.ts';

export const NATIVE = 'native';

export type Info = tf.TensorInfo;

/** A family's kernels: tfjs kernel name -> function. */
export type NamedKernels = [string, tf.KernelFunc][];

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A float32 tensor's values as a Float32Array. The cpu backend's Cast shares the data of a
 * bool or int32 tensor cast to float32 (no loss), so such a tensor may hold another typed array:
 * it is converted (a copy) for the addon, which reads only Float32Arrays.
 */
export function values(backend: MathBackendCPU, t: Info): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

let poisonOutputs = false;

/**
 * Tests: fill every unzeroed output with NaN before its kernel writes it, so an element a kernel
 * leaves unwritten shows up as NaN instead of as whatever the allocator reused (often zeros).
 */
export function setOutputPoison(on: boolean): void {
  poisonOutputs = on;
}

/** Whether setOutputPoison is on. */
export function poisoningOutputs(): boolean {
  return poisonOutputs;
}

/** An unzeroed Float32Array of n elements in its own ArrayBuffer (NaN-filled when poisoning). */
export function unzeroed(n: number): Float32Array {
  const data = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
  if (poisonOutputs) data.fill(NaN);
  return data;
}

/**
 * A float32 tensor of `shape` whose values `fill` writes, every one of them: the array comes
 * from Buffer.allocUnsafeSlow (its own ArrayBuffer, not zeroed), since zeroing the ~10 MB of
 * outputs of an MLP step at batch 1024 cost about as much as all its element-wise kernels. Only
 * kernels whose native code writes every output element use it. The tensor is made after
 * `fill` returns, so a native error leaves no tensor behind.
 */
export function output(backend: MathBackendCPU, shape: number[], fill: (data: Float32Array) => void): Info {
  const data = unzeroed(size(shape));
  fill(data);
  return backend.makeTensorInfo(shape, 'float32', data);
}

/**
 * Several outputs at once, as `output` makes one: float32 tensors of `shapes` whose unzeroed
 * arrays `fill` writes, every element of each, in the same order; the tensors are made after
 * `fill` returns.
 */
export function outputs(backend: MathBackendCPU, shapes: number[][], fill: (data: Float32Array[]) => void): Info[] {
  const arrays = shapes.map((shape) => unzeroed(size(shape)));
  fill(arrays);
  return shapes.map((shape, i) => backend.makeTensorInfo(shape, 'float32', arrays[i]));
}

/** `t`'s values (see values), or null when there is no `t`. */
export function valuesOrNull(backend: MathBackendCPU, t: Info | undefined | null): Float32Array | null {
  return t ? values(backend, t) : null;
}

export function allFloat(...ts: (Info | undefined | null)[]): boolean {
  return ts.every((t) => t == null || t.dtype === 'float32');
}

/** The cpu backend's kernel of that name: the fallback outside the native cases. */
export function cpuKernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (k == null) throw new InternalError(`tfjs's cpu backend has no ${name} kernel`);
  return k.kernelFunc;
}

export function cpuOf(args: { backend: unknown }): MathBackendCPU {
  return args.backend as MathBackendCPU;
}

/** Native errors already name their op; this names the tfjs kernel too, for errors raised in between. */
export function withOpName(name: string, f: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    try {
      return f(args);
    } catch (err) {
      if (err instanceof Error && !err.message.includes(name)) err.message = `${name}: ${err.message}`;
      throw err;
    }
  };
}

/**
 * Counts the compute dispatches tfjs's webgpu backend records. Every webgpu kernel, tfjs's own
 * (runWebGPUProgram) and batchlab's (webgpu-kernels/fused-program.ts), goes through the
 * backend's `recordAndSubmit` once per dispatch; the counter wraps that method on the backend
 * instance (once) and tallies by program class name while counting is on.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';

export interface DispatchCount {
  total: number;
  /** Dispatches per program class name (tfjs's, e.g. BinaryOpProgram, or batchlab's). */
  byProgram: Map<string, number>;
}

interface Recording {
  recordAndSubmit(program: object, ...rest: unknown[]): void;
}

const wrapped = new WeakSet<object>();
let current: DispatchCount | null = null;

function wrap(backend: Recording): void {
  if (wrapped.has(backend)) return;
  const original = backend.recordAndSubmit.bind(backend);
  backend.recordAndSubmit = (program: object, ...rest: unknown[]) => {
    if (current) {
      const name = program.constructor.name;
      current.total += 1;
      current.byProgram.set(name, (current.byProgram.get(name) ?? 0) + 1);
    }
    original(program, ...rest);
  };
  wrapped.add(backend);
}

/** Runs `f` on the webgpu backend (which must be active) and counts the dispatches it records. */
export async function countWebgpuDispatches<T>(f: () => T | Promise<T>): Promise<{ value: T; count: DispatchCount }> {
  if (tf.getBackend() !== 'webgpu') throw new InternalError(`countWebgpuDispatches needs the webgpu backend, active: ${tf.getBackend()}`);
  if (current) throw new InternalError('countWebgpuDispatches calls cannot nest');
  wrap(tf.backend() as unknown as Recording);
  const count: DispatchCount = { total: 0, byProgram: new Map() };
  current = count;
  try {
    return { value: await f(), count };
  } finally {
    current = null;
  }
}

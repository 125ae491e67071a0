/**
 * Per-kernel self time on one backend: every registered kernel is wrapped with a timer while
 * `fn` runs, then the original registrations are restored. Kernels composed of other kernels
 * (batchlab's wasm training kernels) are charged only their own time, not their children's.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelCost {
  kernel: string;
  /** Self time, ms (wall clock on the host; wasm and cpu kernels run synchronously). */
  ms: number;
  calls: number;
}

export type KernelProfile = Map<string, KernelCost>;

export async function profileKernels(backend: string, fn: () => Promise<void>): Promise<KernelProfile> {
  const costs: KernelProfile = new Map();
  const childMs: number[] = [];
  const originals = tf.getKernelsForBackend(backend);
  for (const k of originals) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        childMs.push(0);
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          const dt = performance.now() - t0;
          const children = childMs.pop()!;
          if (childMs.length > 0) childMs[childMs.length - 1] += dt;
          const c = costs.get(k.kernelName) ?? { kernel: k.kernelName, ms: 0, calls: 0 };
          c.ms += dt - children;
          c.calls += 1;
          costs.set(k.kernelName, c);
        }
      },
    });
  }
  try {
    await fn();
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return costs;
}

/** a - b per kernel (e.g. N+1 steps minus 1 step isolates N steady steps), sorted by time. */
export function diffProfiles(a: KernelProfile, b: KernelProfile): KernelCost[] {
  const out: KernelCost[] = [];
  for (const [name, c] of a) {
    const base = b.get(name);
    const ms = c.ms - (base?.ms ?? 0);
    const calls = c.calls - (base?.calls ?? 0);
    if (calls > 0) out.push({ kernel: name, ms, calls });
  }
  return out.sort((x, y) => y.ms - x.ms);
}

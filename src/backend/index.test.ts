import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { UsageError } from '../errors.ts';
import { BACKENDS, BackendUnavailableError, initBackend, probeBackend, probeBackends, releaseBackend, type BackendProbe } from './index.ts';
import { cpuModel } from './host.ts';
import { findVulkanLoader } from './vulkan-loader.ts';

// What this machine has decides what the probes must say; on a machine with tfjs-node or Vulkan
// the same tests check the other branch.
function resolvable(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const HAS_TFJS_NODE = resolvable('@tensorflow/tfjs-node-gpu') || resolvable('@tensorflow/tfjs-node');
const HAS_VULKAN_LOADER = process.platform === 'linux' && findVulkanLoader() !== undefined;

/** [m,k] x [k,n] on the active backend, read asynchronously (webgpu cannot read synchronously). */
async function matMul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<Float32Array> {
  const y = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return out;
}

function randomArray(size: number): Float32Array {
  return Float32Array.from({ length: size }, () => Math.random() * 2 - 1);
}

/**
 * Every backend probed once, in auto order, timing each probe: shared by the probe tests, and
 * run by whichever of them comes first, so none depends on another having run.
 */
let probed: Promise<{ probes: BackendProbe[]; ms: Partial<Record<string, number>> }> | undefined;
function probeEachOnce(): Promise<{ probes: BackendProbe[]; ms: Partial<Record<string, number>> }> {
  probed ??= (async () => {
    const probes: BackendProbe[] = [];
    const ms: Partial<Record<string, number>> = {};
    for (const name of BACKENDS) {
      const t0 = performance.now();
      probes.push(await probeBackend(name));
      ms[name] = performance.now() - t0;
    }
    return { probes, ms };
  })();
  return probed;
}

describe('probeBackends', () => {
  beforeEach(async () => {
    await tf.setBackend('cpu');
  });
  useLeakCheck();

  it('probes every backend in auto order, leaving the active backend and tensor count alone', async () => {
    await probeEachOnce();
    const probes = await probeBackends();
    expect(probes.map((p) => p.name)).toEqual([...BACKENDS]);
    expect(tf.getBackend()).toBe('cpu');
    for (const p of probes) {
      expect(p.reason).not.toBe('');
      expect(p.device !== '').toBe(p.usable);
      if (!p.usable) expect(p.hint).toBeTruthy();
    }
  });

  it('finds cpu and wasm usable on the CPU of this machine', async () => {
    const { probes } = await probeEachOnce();
    const [cpu, wasm] = [probes.find((p) => p.name === 'cpu')!, probes.find((p) => p.name === 'wasm')!];
    expect(cpu).toMatchObject({ usable: true, device: cpuModel() });
    expect(wasm.usable).toBe(true);
    expect(wasm.device).toMatch(new RegExp(`^${cpuModel().replace(/[()]/g, '\\$&')} \\(wasm (no )?SIMD, \\d+ threads?\\)$`));
  });

  it.runIf(!HAS_TFJS_NODE)('says tensorflow is not installed, naming the package and how to get it', async () => {
    const { probes } = await probeEachOnce();
    const p = probes.find((q) => q.name === 'tensorflow')!;
    expect(p).toMatchObject({ usable: false, device: '', reason: '@tensorflow/tfjs-node-gpu not installed (nor @tensorflow/tfjs-node)' });
    expect(p.hint).toMatch(/^npm install @tensorflow\/tfjs-node-gpu .*CUDA 11\.2 \+ cuDNN 8\.1/);
  });

  it.runIf(!HAS_VULKAN_LOADER)('says webgpu has no Vulkan adapter, quickly, with what to install', async () => {
    const { probes, ms } = await probeEachOnce();
    const p = probes.find((q) => q.name === 'webgpu')!;
    expect(p).toMatchObject({ usable: false, device: '', reason: 'no Vulkan adapter: libvulkan.so.1 (Vulkan loader) not found' });
    expect(p.hint).toMatch(/libvulkan1.*Vulkan ICD.*Mesa >= 24 lavapipe.*bookworm-backports/);
    expect(ms['webgpu']).toBeLessThan(3000);
  });
});

describe('initBackend', () => {
  useLeakCheck();
  it('auto takes the first backend that initialises and says why it skipped the others', async () => {
    await tf.setBackend('cpu');
    const probes = await probeBackends();
    const active = await initBackend('auto');
    // auto passes over a software Vulkan adapter (lavapipe): WebGPU there runs on the CPU.
    const software = (p: (typeof probes)[number]) => p.name === 'webgpu' && p.reason.includes('software');
    expect(active.name).toBe(probes.find((p) => p.usable && !software(p))!.name);
    expect(tf.getBackend()).toBe(active.name);
    if (!HAS_TFJS_NODE && !HAS_VULKAN_LOADER) {
      // native comes before wasm when its addon is built; otherwise auto says why it passed.
      const native = probes.find((p) => p.name === 'native')!;
      const chosen = native.usable ? 'native' : 'wasm';
      expect(active).toEqual({
        name: chosen,
        device: probes.find((p) => p.name === chosen)!.device,
        isGpu: false,
        why:
          'tensorflow: @tensorflow/tfjs-node-gpu not installed (nor @tensorflow/tfjs-node); ' +
          'webgpu: no Vulkan adapter: libvulkan.so.1 (Vulkan loader) not found; ' +
          (native.usable ? 'using native' : `native: ${native.reason}; using wasm`),
      });
    }
  });

  it('cpu: always starts, on the CPU', async () => {
    await tf.setBackend('wasm');
    expect(await initBackend('cpu')).toEqual({ name: 'cpu', device: cpuModel(), isGpu: false, why: 'requested cpu' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('wasm: registers the training kernels stock wasm lacks', async () => {
    await initBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('rejects an unknown name as a usage error located at `backend`', async () => {
    const err = await initBackend('gpu' as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues.map((i) => i.path)).toEqual(['backend']);
  });

  // One contract for every backend: usable ones compute a matmul like cpu does; unusable ones
  // refuse with the probe's reason and leave the active backend alone.
  it.each(BACKENDS)('%s keeps the backend contract', async (name) => {
    await tf.setBackend('cpu');
    const probe = await probeBackend(name);
    if (!probe.usable) {
      const err = await initBackend(name).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as BackendUnavailableError).reason).toBe(probe.reason);
      expect(tf.getBackend()).toBe('cpu');
      return;
    }
    const [m, k, n] = [7, 33, 5];
    const a = randomArray(m * k);
    const b = randomArray(k * n);
    const expected = await matMul(a, b, m, k, n);
    const active = await initBackend(name);
    expect(active.name).toBe(name);
    expect(active.device).toBe(probe.device);
    expect(tf.getBackend()).toBe(name);
    const got = await matMul(a, b, m, k, n);
    // float32 sums of 33 products in [-1,1]: different summation orders agree to ~1e-6.
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-4);
  });
});

describe('releaseBackend', () => {
  it("drops navigator.gpu, whose Dawn instance would keep Node's event loop alive", () => {
    const holder = globalThis as { navigator?: { gpu?: unknown } };
    const hadNavigator = 'navigator' in globalThis;
    if (!hadNavigator) holder.navigator = {};
    holder.navigator!.gpu = {};
    releaseBackend();
    expect('gpu' in holder.navigator!).toBe(false);
    if (!hadNavigator) delete holder.navigator;
  });
});

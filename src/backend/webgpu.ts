/**
 * The webgpu backend on Dawn for Node (npm `webgpu`). On Linux Dawn needs Vulkan: the loader
 * libvulkan.so.1 plus a driver (ICD) that exposes a device, a GPU's or Mesa's lavapipe.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendDriver, BackendProbe } from './names.ts';
import { messageOf, switchTo, verifyActiveBackend } from './active-backend.ts';
import { BackendUnavailableError, unusableProbe } from './backend-unavailable-error.ts';
import { EnvironmentError } from '../errors.ts';
import { findVulkanLoader, VULKAN_LOADER } from './vulkan-loader.ts';
import { summarizeAdapter, type AdapterInfoLike, type AdapterSummary } from './webgpu-adapter.ts';
import { describeBackendOptions, environmentBackendOptions, type BackendOptions } from './options.ts';
import { registerWebgpuKernels } from './webgpu-kernels/index.ts';
import { dawnCreateFlags, describeWebGpuSettings, WEBGPU_SETTINGS_ENV, type WebGpuSettings } from './webgpu-settings.ts';

/** Dawn answers in milliseconds when it has nothing; a hung driver must not hang batchlab. */
const ADAPTER_TIMEOUT_MS = 5000;

const IS_LINUX = process.platform === 'linux';
const NO_ADAPTER = IS_LINUX ? 'no Vulkan adapter' : 'no WebGPU adapter';
const NO_ADAPTER_HINT = IS_LINUX
  ? "install libvulkan1 and the GPU driver's Vulkan ICD (NVIDIA: the driver's Vulkan component; " +
    "check with vulkaninfo --summary); for software rendering install Mesa >= 24 lavapipe " +
    "(mesa-vulkan-drivers from bookworm-backports; bookworm's own Mesa 22.3 is refused by Dawn)"
  : 'update the GPU driver';

type Dawn = typeof import('webgpu');

interface Found {
  gpu: GPU;
  summary: AdapterSummary;
}

function unavailable(reason: string, hint?: string): BackendUnavailableError {
  return new BackendUnavailableError('webgpu', reason, hint);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EnvironmentError(`${what} did not answer within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function loadDawn(): Promise<Dawn> {
  // Without the Vulkan loader Dawn can find no adapter on Linux; checking first avoids its
  // native stderr warning and the cost of loading it.
  if (IS_LINUX && !findVulkanLoader()) throw unavailable(`${NO_ADAPTER}: ${VULKAN_LOADER} (Vulkan loader) not found`, NO_ADAPTER_HINT);
  try {
    return await import('webgpu');
  } catch (err) {
    throw unavailable(`the webgpu package (Dawn) failed to load: ${messageOf(err)}`, 'reinstall the webgpu npm package');
  }
}

async function readAdapterInfo(adapter: GPUAdapter): Promise<AdapterInfoLike> {
  if ('info' in adapter && adapter.info) return adapter.info;
  const legacy = adapter as unknown as { requestAdapterInfo?: () => Promise<AdapterInfoLike> };
  return legacy.requestAdapterInfo ? legacy.requestAdapterInfo() : {};
}

/**
 * The process's one Dawn instance and the toggles it was created with. tfjs's webgpu backend
 * keeps the device it got from the instance that was navigator.gpu when the backend started;
 * were that instance replaced by a later probe or activation and garbage-collected, Dawn would
 * free the device under tfjs and the process would crash (SIGSEGV) at its next GPU operation.
 * Dawn applies toggles when an instance is created, so they cannot change afterwards.
 */
let dawnInstance: { gpu: GPU; toggles: string } | undefined;

function dawnGpu(dawn: Dawn, settings: WebGpuSettings): GPU {
  if (!dawnInstance) {
    Object.assign(globalThis, dawn.globals);
    // The toggles apply to every device this instance creates, tfjs's included.
    dawnInstance = { gpu: dawn.create(dawnCreateFlags(settings)), toggles: togglesOf(settings) };
  }
  return dawnInstance.gpu;
}

/** The Dawn toggles of `settings` in run.json's form ("+a,-b" or "none"), in a fixed order. */
function togglesOf(settings: WebGpuSettings): string {
  return describeWebGpuSettings({ ...settings, enable: [...settings.enable].sort(), disable: [...settings.disable].sort() }).webgpu_dawn_toggles!;
}

/**
 * Refuses settings whose Dawn toggles differ from those of the instance this process already
 * made: they could not take effect, and run.json would record settings not in effect.
 */
function checkSameToggles(settings: WebGpuSettings): void {
  if (dawnInstance && togglesOf(settings) !== dawnInstance.toggles) {
    throw unavailable(
      `Dawn already runs in this process with toggles ${dawnInstance.toggles}; toggles ${togglesOf(settings)} ` +
        'cannot apply (Dawn fixes them when its instance is created)',
      `use one ${WEBGPU_SETTINGS_ENV} toggle set per process; start another process to use another`,
    );
  }
}

/** Checks Dawn yields an adapter and a device, as tfjs will ask for. */
async function findAdapter(dawn: Dawn, settings: WebGpuSettings): Promise<Found> {
  checkSameToggles(settings);
  let gpu: GPU;
  let adapter: GPUAdapter | null;
  try {
    gpu = dawnGpu(dawn, settings);
    adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), ADAPTER_TIMEOUT_MS, 'requestAdapter');
  } catch (err) {
    throw unavailable(`${NO_ADAPTER}: ${messageOf(err)}`, NO_ADAPTER_HINT);
  }
  if (!adapter) {
    const detail = IS_LINUX ? `${VULKAN_LOADER} is present but no driver (ICD) exposes a device` : 'Dawn found none';
    throw unavailable(`${NO_ADAPTER}: ${detail}`, NO_ADAPTER_HINT);
  }
  const summary = summarizeAdapter(await readAdapterInfo(adapter));
  try {
    const device = await withTimeout(adapter.requestDevice(), ADAPTER_TIMEOUT_MS, 'requestDevice');
    device.destroy();
  } catch (err) {
    throw unavailable(`adapter ${summary.device} refused a device: ${messageOf(err)}`, 'update the GPU driver');
  }
  return { gpu, summary };
}

/** tfjs-backend-webgpu looks for navigator.gpu when it is imported; Node 20 has no navigator. */
function installNavigatorGpu(gpu: GPU): void {
  const holder = globalThis as { navigator?: object };
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/**
 * Drops the references to Dawn's instance: while navigator.gpu holds it, Node's event loop may
 * stay alive and the process not exit on its own. No webgpu tensor op may follow.
 */
export function releaseWebGpu(): void {
  dawnInstance = undefined;
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) delete nav.gpu;
}

export const webgpuDriver: BackendDriver = {
  async probe(options?: BackendOptions): Promise<BackendProbe> {
    try {
      const { summary } = await findAdapter(await loadDawn(), (options ?? environmentBackendOptions()).webgpu);
      const reason = summary.software ? 'adapter found (software Vulkan: runs on the CPU)' : 'adapter found';
      return { name: 'webgpu', usable: true, device: summary.device, reason };
    } catch (err) {
      return unusableProbe('webgpu', err);
    }
  },
  async activate(options = environmentBackendOptions()) {
    const settings = options.webgpu;
    const { gpu, summary } = await findAdapter(await loadDawn(), settings);
    installNavigatorGpu(gpu);
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.engine().registryFactory['webgpu']) {
      throw unavailable('@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed and registered nothing');
    }
    registerWebgpuKernels();
    // The default split-K matmul accumulates with atomics in varying order; program type 3
    // gives bit-identical results from run to run.
    tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', 3);
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', settings.submitBatch);
    await switchTo('webgpu', 'tfjs could not set the webgpu backend');
    await verifyActiveBackend('webgpu');
    return {
      device: summary.device,
      isGpu: !summary.software,
      note: summary.software ? 'software Vulkan adapter: WebGPU runs on the CPU' : undefined,
      settings: describeBackendOptions('webgpu', options),
    };
  },
};

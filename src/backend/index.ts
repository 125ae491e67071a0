/** Choosing, diagnosing and initialising the tfjs backend batchlab trains on. */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.ts';
import { environmentBackendOptions, type BackendOptions } from './options.ts';
import { BACKENDS, isBackendName, type ActiveBackend, type BackendChoice, type BackendDriver, type BackendName, type BackendProbe } from './names.ts';
import { messageOf } from './active-backend.ts';
import { BackendUnavailableError } from './backend-unavailable-error.ts';
import { explainAutoChoice, type Skipped } from './auto-choice.ts';
import { cpuDriver } from './cpu.ts';
import { nativeDriver } from './native/driver.ts';
import { tensorflowDriver } from './tensorflow.ts';
import { wasmDriver } from './wasm.ts';
import { releaseWebGpu, webgpuDriver } from './webgpu.ts';

export { BACKENDS, isBackendName } from './names.ts';
export type { ActiveBackend, BackendChoice, BackendName, BackendProbe } from './names.ts';
export { backendOptionsFromEnv, DEFAULT_BACKEND_OPTIONS, type BackendOptions } from './options.ts';
export { BackendUnavailableError } from './backend-unavailable-error.ts';
export { classifyTensorflowLoadError } from './tensorflow-load-error.ts';
export { describeEnvironment } from './environment.ts';
export { renderDoctor } from './doctor.ts';

const DRIVERS: { readonly [K in BackendName]: BackendDriver } = {
  tensorflow: tensorflowDriver,
  webgpu: webgpuDriver,
  native: nativeDriver,
  wasm: wasmDriver,
  cpu: cpuDriver,
};

/**
 * Diagnoses one backend: whether it can run here, on what device, and if not, why and what to
 * install. Leaves the previously active backend active (cpu if none was). Never throws.
 */
export async function probeBackend(name: BackendName, options?: BackendOptions): Promise<BackendProbe> {
  return DRIVERS[name].probe(options);
}

/** Probes every backend in `auto`'s order, one after another (probes switch global tfjs state). */
export async function probeBackends(options?: BackendOptions): Promise<BackendProbe[]> {
  const probes: BackendProbe[] = [];
  for (const name of BACKENDS) probes.push(await probeBackend(name, options));
  return probes;
}

/**
 * Makes `choice` tfjs's active backend and awaits tf.ready(). `auto` takes the first of BACKENDS
 * that initialises (webgpu only with an adapter) and says in `why` what it skipped and why.
 * A named backend that cannot start throws BackendUnavailableError (an EnvironmentError).
 * `options` (threads, GEMM library, fused SGD, webgpu settings) default to the environment's
 * (options.ts); the backend records those it uses in ActiveBackend.settings.
 */
export async function initBackend(choice: BackendChoice, options: BackendOptions = environmentBackendOptions()): Promise<ActiveBackend> {
  // Production mode: no per-op debug checks, and no console banner suggesting tfjs-node.
  tf.env().set('PROD', true);
  if (choice === 'auto') return initAuto(options);
  if (!isBackendName(choice)) {
    throw new UsageError(`unknown backend '${String(choice)}'`, [
      { path: 'backend', message: `expected auto | ${BACKENDS.join(' | ')}, got ${JSON.stringify(choice)}` },
    ]);
  }
  const activation = await DRIVERS[choice].activate(options);
  await tf.ready();
  const why = `requested ${choice}${activation.note ? ` (${activation.note})` : ''}`;
  return { name: choice, device: activation.device, isGpu: activation.isGpu, why, ...(activation.settings && { settings: activation.settings }) };
}

async function initAuto(options: BackendOptions): Promise<ActiveBackend> {
  const skipped: Skipped[] = [];
  for (const name of BACKENDS) {
    try {
      const activation = await DRIVERS[name].activate(options);
      await tf.ready();
      if (name === 'webgpu' && !activation.isGpu) {
        // A software adapter (lavapipe) runs WebGPU on the CPU, slower than wasm; ask for it by name.
        skipped.push({ name, reason: 'only a software Vulkan adapter (use --backend webgpu to run on it anyway)' });
        continue;
      }
      const why = explainAutoChoice(skipped, name, activation.note);
      return { name, device: activation.device, isGpu: activation.isGpu, why, ...(activation.settings && { settings: activation.settings }) };
    } catch (err) {
      skipped.push({ name, reason: err instanceof BackendUnavailableError ? err.reason : messageOf(err) });
    }
  }
  // cpu is pure JavaScript, so reaching here means tfjs itself is broken.
  throw new BackendUnavailableError('cpu', `no backend initialised: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/**
 * Lets the process exit on its own after a webgpu run (Dawn's instance keeps Node's event loop
 * alive while referenced). Call after the last tensor op.
 */
export function releaseBackend(): void {
  releaseWebGpu();
}

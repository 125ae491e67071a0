/**
 * The native TensorFlow backend from @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node
 * (CPU). Both are optional packages, loaded on first use; both register the backend 'tensorflow'.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendDriver, BackendProbe } from './names.ts';
import { cpuModel, hasNvidiaDevice, nvidiaGpuNames } from './host.ts';
import { currentBackend, messageOf, restoreBackend, switchTo, verifyActiveBackend } from './active-backend.ts';
import { BackendUnavailableError, unusableProbe } from './backend-unavailable-error.ts';
import { classifyTensorflowLoadError, GPU_PACKAGE } from './tensorflow-load-error.ts';
import { summarizeTensorflowDevice, type TensorflowDevice } from './tensorflow-device.ts';

/** Tried in this order: the GPU build first, it also runs on CPU. */
const PACKAGES = [GPU_PACKAGE, '@tensorflow/tfjs-node'] as const;

/** The fields tfjs-node's NodeJSKernelBackend sets from its native binding. */
interface NativeBackendFlags {
  isUsingGpuDevice?: boolean;
}

type Loaded = TensorflowDevice;

// Importing a native addon twice gives the cached module, so the outcome is a per-process fact.
let loading: Promise<Loaded | BackendUnavailableError> | undefined;

function loadOnce(): Promise<Loaded | BackendUnavailableError> {
  loading ??= load();
  return loading;
}

async function load(): Promise<Loaded | BackendUnavailableError> {
  const failures: { pkg: string; reason: string; hint?: string }[] = [];
  for (const pkg of PACKAGES) {
    try {
      // A variable specifier: the packages are optional and usually absent at type-check time.
      const specifier: string = pkg;
      await import(specifier);
    } catch (err) {
      failures.push({ pkg, ...classifyTensorflowLoadError(messageOf(err)) });
      continue;
    }
    return describeLoaded(pkg, failures);
  }
  return unavailable(failures);
}

/** Both packages failed: the GPU package's failure leads, it is the one users are expected to have. */
function unavailable(failures: { pkg: string; reason: string; hint?: string }[]): BackendUnavailableError {
  const [gpu, cpu] = failures as [(typeof failures)[0], (typeof failures)[0]];
  const bothMissing = gpu.reason.endsWith('not installed') && cpu.reason.endsWith('not installed');
  const reason = bothMissing ? `${gpu.reason} (nor ${cpu.pkg})` : `${gpu.pkg}: ${gpu.reason}; ${cpu.pkg}: ${cpu.reason}`;
  return new BackendUnavailableError('tensorflow', reason, gpu.hint ?? cpu.hint);
}

function describeLoaded(pkg: string, earlier: { pkg: string; reason: string; hint?: string }[]): Loaded | BackendUnavailableError {
  // tfjs-node registers into the @tensorflow/tfjs it resolves; a second copy of tfjs in its own
  // node_modules would register there and leave ours without the backend.
  if (!tf.engine().registryFactory['tensorflow']) {
    return new BackendUnavailableError(
      'tensorflow',
      `${pkg} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs ${tf.version.tfjs}`,
      `install ${pkg} at the same version as @tensorflow/tfjs so npm shares one copy`,
    );
  }
  const flags = tf.findBackend('tensorflow') as unknown as NativeBackendFlags;
  return summarizeTensorflowDevice({
    pkg,
    earlier,
    isUsingGpuDevice: flags.isUsingGpuDevice,
    hasNvidiaDevice: hasNvidiaDevice(),
    gpuNames: nvidiaGpuNames(),
    cpuModel: cpuModel(),
  });
}

export const tensorflowDriver: BackendDriver = {
  async probe(): Promise<BackendProbe> {
    const previous = currentBackend();
    const loaded = await loadOnce();
    // Importing tfjs-node makes 'tensorflow' the active backend as a side effect.
    await restoreBackend(previous);
    if (loaded instanceof BackendUnavailableError) return unusableProbe('tensorflow', loaded);
    return { name: 'tensorflow', usable: true, device: loaded.device, reason: loaded.reason, hint: loaded.hint };
  },
  async activate() {
    const loaded = await loadOnce();
    if (loaded instanceof BackendUnavailableError) throw loaded;
    await switchTo('tensorflow', 'tfjs could not set the tensorflow backend');
    await verifyActiveBackend('tensorflow');
    return {
      device: loaded.device,
      isGpu: loaded.isGpu,
      note: loaded.isGpu ? undefined : loaded.reason,
    };
  },
};

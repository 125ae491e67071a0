/**
 * Registers the tfjs backend `native`: a cpu backend (host memory, tfjs's cpu kernels) whose
 * hot training kernels run in the native addon (kernels.ts). Registering is idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { SGD_UPDATE } from '../kernel-names.ts';
import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from '../options.ts';
import type { NativeAddon } from './addon.ts';
import { GEMM_LIBRARIES } from './op-codes.ts';
import { NATIVE, nativeKernelConfigs, pinningInputs, pinValues, VIEW_KERNELS } from './kernels.ts';

/**
 * The cpu backend, except that an array read out (dataSync, data, array, buffers) is never
 * overwritten afterwards by the SGD kernel's in-place update (kernels.ts).
 */
class NativeBackend extends MathBackendCPU {
  override readSync(dataId: object): tf.backend_util.BackendValues {
    pinValues(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }
}

/** The options the native kernels were last registered with. */
let registeredWith: string | undefined;

/**
 * Priority 0: below cpu's, so tfjs never picks `native` on its own; batchlab sets it by name.
 * The cpu backend's kernels are copied first, then the native ones replace theirs. Registering
 * again with other `options` (GEMM library, fused SGD) re-registers the native kernels.
 */
export function registerNativeBackend(addon: NativeAddon, options: Pick<BackendOptions, 'gemm' | 'fusedSgd'> = DEFAULT_BACKEND_OPTIONS): void {
  const key = JSON.stringify({ gemm: options.gemm, fusedSgd: options.fusedSgd });
  if (tf.findBackendFactory(NATIVE) != null) {
    if (key !== registeredWith) registerNativeKernels(addon, options, key);
    return;
  }
  tf.registerBackend(NATIVE, () => {
    const backend = new NativeBackend();
    // Its first write would print tfjs's "install tfjs-node" banner: this backend is the native one.
    (backend as unknown as { firstUse: boolean }).firstUse = false;
    return backend;
  }, 0);
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(config.kernelName, NATIVE) != null) continue;
    const copy = { ...config, backendName: NATIVE };
    tf.registerKernel(VIEW_KERNELS.includes(config.kernelName) ? pinningInputs(copy) : copy);
  }
  registerNativeKernels(addon, options, key);
}

/** The addon and GEMM library the native kernels were last registered with. */
let kernelsUse: { addon: NativeAddon; gemmLibrary: number } | null = null;

/**
 * The addon and GEMM library code the native kernels call, while the native backend is the
 * current one (null otherwise): for code that calls the same addon functions directly, as the
 * direct dense step does (src/train/direct-dense-step.ts).
 */
export function nativeKernelsInUse(): { addon: NativeAddon; gemmLibrary: number } | null {
  return tf.getBackend() === NATIVE ? kernelsUse : null;
}

function registerNativeKernels(addon: NativeAddon, options: Pick<BackendOptions, 'gemm' | 'fusedSgd'>, key: string): void {
  kernelsUse = { addon, gemmLibrary: GEMM_LIBRARIES[options.gemm] };
  if (!options.fusedSgd && tf.getKernel(SGD_UPDATE, NATIVE) != null) tf.unregisterKernel(SGD_UPDATE, NATIVE);
  for (const config of nativeKernelConfigs(addon, options)) {
    if (tf.getKernel(config.kernelName, NATIVE) != null) tf.unregisterKernel(config.kernelName, NATIVE);
    tf.registerKernel(config);
  }
  registeredWith = key;
}

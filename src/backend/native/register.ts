/**
 * Registers the tfjs backend `native`: a cpu backend (host memory, tfjs's cpu kernels) whose
 * hot training kernels run in the native addon (kernels.ts). Registering is idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { SGD_UPDATE } from '../kernel-names.ts';
import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from '../options.ts';
import type { NativeAddon } from './addon.ts';
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

function registerNativeKernels(addon: NativeAddon, options: Pick<BackendOptions, 'gemm' | 'fusedSgd'>, key: string): void {
  if (!options.fusedSgd && tf.getKernel(SGD_UPDATE, NATIVE) != null) tf.unregisterKernel(SGD_UPDATE, NATIVE);
  for (const config of nativeKernelConfigs(addon, options)) {
    if (tf.getKernel(config.kernelName, NATIVE) != null) tf.unregisterKernel(config.kernelName, NATIVE);
    tf.registerKernel(config);
  }
  registeredWith = key;
}

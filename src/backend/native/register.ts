/**
 * Registers the tfjs backend `native`: a cpu backend (host memory, tfjs's cpu kernels) whose
 * hot training kernels run in the native addon (kernels.ts). Registering is idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.ts';
import { NATIVE, nativeKernelConfigs } from './kernels.ts';

/**
 * Priority 0: below cpu's, so tfjs never picks `native` on its own; batchlab sets it by name.
 * The cpu backend's kernels are copied first, then the native ones replace theirs.
 */
export function registerNativeBackend(addon: NativeAddon): void {
  if (tf.findBackendFactory(NATIVE) != null) return;
  tf.registerBackend(NATIVE, () => {
    const backend = new MathBackendCPU();
    // Its first write would print tfjs's "install tfjs-node" banner: this backend is the native one.
    (backend as unknown as { firstUse: boolean }).firstUse = false;
    return backend;
  }, 0);
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(config.kernelName, NATIVE) == null) tf.registerKernel({ ...config, backendName: NATIVE });
  }
  for (const config of nativeKernelConfigs(addon)) {
    if (tf.getKernel(config.kernelName, NATIVE) != null) tf.unregisterKernel(config.kernelName, NATIVE);
    tf.registerKernel(config);
  }
}

/**
 * The setup every webgpu-against-cpu suite shares: webgpu started (so its kernels are
 * registered and its device exists) with cpu left as the active backend for references, the
 * backend released after the suite (Dawn's instance would otherwise keep the test worker's
 * event loop alive), and the tensor count checked around each test (it counts every backend's
 * tensors, webgpu's included).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { initBackend, probeBackend, releaseBackend } from '../../src/backend/index.ts';
import type { BackendProbe } from '../../src/backend/names.ts';
import { useLeakCheck } from './leak-check.ts';
import { requireSystem } from './require-system.ts';

/**
 * Probes webgpu once for a test file: `skipWebgpu` is true where no usable adapter exists (the
 * suite skips, naming the Vulkan packages), and requireSystem fails instead under
 * BATCHLAB_REQUIRE_SYSTEM=1.
 */
export async function probeWebgpuForTests(): Promise<{ probe: BackendProbe; skipWebgpu: boolean }> {
  const probe = await probeBackend('webgpu');
  const skipWebgpu = requireSystem('mesa-vulkan-drivers libvulkan1', probe.usable, {
    why: `${probe.reason}; Mesa >= 24 from bookworm-backports, which .ci/install-lavapipe installs`,
  });
  return { probe, skipWebgpu };
}

export function useWebgpuSuite(): void {
  beforeAll(async () => {
    await initBackend('webgpu');
    await tf.setBackend('cpu');
  });
  afterAll(() => releaseBackend());
  useLeakCheck();
}

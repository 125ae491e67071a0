/**
 * The setup every webgpu-against-cpu suite shares: webgpu started (so its kernels are
 * registered and its device exists) with cpu left as the active backend for references, the
 * backend released after the suite (Dawn's instance would otherwise keep the test worker's
 * event loop alive), and the tensor count checked around each test (it counts every backend's
 * tensors, webgpu's included).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { initBackend, releaseBackend } from '../../src/backend/index.ts';
import { useLeakCheck } from './leak-check.ts';

export function useWebgpuSuite(): void {
  beforeAll(async () => {
    await initBackend('webgpu');
    await tf.setBackend('cpu');
  });
  afterAll(() => releaseBackend());
  useLeakCheck();
}

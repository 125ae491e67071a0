/**
 * The setup every native-kernel suite shares: the addon loaded once per test file (the suite
 * skips naming the packages that build it where it cannot load, and fails instead under
 * BATCHLAB_REQUIRE_SYSTEM=1), the native backend registered before the suite, the tensor count
 * checked around each test, and a check that a kernel is registered on native and not on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { loadNativeAddon, NATIVE_PACKAGES, type AddonLoad } from '../../src/backend/native/addon.ts';
import { NATIVE } from '../../src/backend/native/kernels.ts';
import { registerNativeBackend } from '../../src/backend/native/register.ts';
import { useLeakCheck } from './leak-check.ts';
import { requireSystem } from './require-system.ts';

export function loadNativeForTests(): { load: AddonLoad; skipNative: boolean } {
  const load = loadNativeAddon();
  return { load, skipNative: requireSystem(NATIVE_PACKAGES, load.ok) };
}

/** Registers the native backend before the suite (when the addon loaded) and checks leaks per test. */
export function useNativeSuite(load: AddonLoad): void {
  beforeAll(() => {
    if (load.ok) registerNativeBackend(load.addon);
  });
  useLeakCheck();
}

/** A test that `kernel` is registered for the native backend only. */
export function itIsNativeOnly(kernel: string): void {
  it(`${kernel} is a native kernel only`, () => {
    expect(tf.getKernel(kernel, NATIVE)).toBeDefined();
    expect(tf.getKernel(kernel, 'cpu')).toBeUndefined();
  });
}

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
import type { OptimizerSpec } from '../../src/config/schema.ts';
import { createOptimizer } from '../../src/train/optimizers.ts';
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

/**
 * Checks that an optimizer whose native kernel updates in place never rewrites an array that was
 * read out (the variable's and each slot's values after two updates stay as read through three
 * more), that the variable still moves, and that the tensor count stays flat.
 */
export async function expectReadOutArraysKept(spec: OptimizerSpec, seed: number): Promise<void> {
  await tf.setBackend(NATIVE);
  const w = tf.tidy(() => tf.variable(tf.randomNormal([9, 4], 0, 1, 'float32', seed % 1000)));
  const optimizer = createOptimizer(spec, [w]);
  const lr = tf.scalar(0.1);
  const g = tf.ones([9, 4]);
  optimizer.apply([g], lr); // the first update's outputs are the kernel's own arrays
  optimizer.apply([g], lr); // ... which the second may rewrite in place
  const before = tf.memory().numTensors;
  const read = [w, ...optimizer.state().slots].map((t) => t.dataSync()); // the backend's own arrays, handed out
  const copies = read.map((a) => Float32Array.from(a));
  for (let i = 0; i < 3; i++) optimizer.apply([g], lr);
  read.forEach((a, i) => expect(a).toEqual(copies[i]));
  expect(w.dataSync()).not.toEqual(copies[0]);
  expect(tf.memory().numTensors).toBe(before);
  optimizer.dispose();
  tf.dispose([w, lr, g]);
}

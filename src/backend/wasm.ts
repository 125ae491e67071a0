/** The wasm backend (XNNPACK): fast on CPUs, made trainable by batchlab's training kernels. */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendDriver } from './names.ts';
import { cpuModel } from './host.ts';
import { currentBackend, restoreBackend, switchTo, verifyActiveBackend } from './active-backend.ts';
import { unusableProbe } from './backend-unavailable-error.ts';
import { registerWasmTrainingKernels } from './wasm-kernels/index.ts';

const REFUSED = 'tfjs could not initialise the wasm backend (its .wasm binary failed to load)';
const HINT = 'reinstall @tensorflow/tfjs-backend-wasm; its dist/*.wasm files must sit beside the JavaScript';

/** CPU model plus what the wasm module can use, e.g. "AMD EPYC 7B13 (wasm SIMD, 1 thread)". */
async function describeWasmDevice(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  return `${cpuModel()} (wasm ${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`;
}

export const wasmDriver: BackendDriver = {
  async probe() {
    const previous = currentBackend();
    try {
      await switchTo('wasm', REFUSED, HINT);
      await verifyActiveBackend('wasm');
      return { name: 'wasm', usable: true, device: await describeWasmDevice(), reason: 'WebAssembly with XNNPACK' };
    } catch (err) {
      return unusableProbe('wasm', err, HINT);
    } finally {
      await restoreBackend(previous);
    }
  },
  async activate() {
    await switchTo('wasm', REFUSED, HINT);
    // Stock wasm lacks conv/depthwise/segment gradients and computes MaxPoolGrad wrongly; these
    // kernels fix that. Registering twice is a no-op, so every activation may call it.
    registerWasmTrainingKernels();
    await verifyActiveBackend('wasm');
    return { device: await describeWasmDevice(), isGpu: false };
  },
};

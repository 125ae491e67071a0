import { describe, expect, it } from 'vitest';
import { summarizeTensorflowDevice, type TensorflowDevice, type TensorflowFacts } from './tensorflow-device.ts';

const BASE: TensorflowFacts = {
  pkg: '@tensorflow/tfjs-node-gpu',
  earlier: [],
  isUsingGpuDevice: true,
  hasNvidiaDevice: true,
  gpuNames: ['NVIDIA H100 80GB HBM3'],
  cpuModel: 'Xeon',
};

describe('summarizeTensorflowDevice', () => {
  const cases: { name: string; facts: Partial<TensorflowFacts>; expected: Partial<TensorflowDevice>; hint?: RegExp | null }[] = [
    {
      name: 'GPU build on a visible GPU',
      facts: {},
      expected: { device: 'NVIDIA H100 80GB HBM3 (CUDA)', isGpu: true, reason: 'loaded @tensorflow/tfjs-node-gpu' },
      hint: null,
    },
    {
      name: 'GPU build, binding silent about the device: /dev/nvidia0 decides',
      facts: { isUsingGpuDevice: undefined, gpuNames: [] },
      expected: { device: 'NVIDIA GPU (CUDA)', isGpu: true },
    },
    {
      name: 'GPU build, GPU present but CUDA 11.2 libraries missing: silent CPU fallback is named',
      facts: { isUsingGpuDevice: false },
      expected: {
        device: 'Xeon (CPU fallback: a GPU is present but TensorFlow could not load CUDA 11.2 / cuDNN 8.1)',
        isGpu: false,
        reason: 'loaded @tensorflow/tfjs-node-gpu, but it runs on CPU: a GPU is present but TensorFlow could not load CUDA 11.2 / cuDNN 8.1',
      },
      hint: /LD_LIBRARY_PATH.*CUDA_CACHE_MAXSIZE/,
    },
    {
      name: 'GPU build in a container without the GPU passed in',
      facts: { isUsingGpuDevice: false, hasNvidiaDevice: false, gpuNames: [] },
      expected: { device: 'Xeon (CPU fallback: no /dev/nvidia0 visible to this process)', isGpu: false },
      hint: /--gpus all/,
    },
    {
      name: 'CPU build after the GPU build failed: keeps why, and how to get the GPU build',
      facts: {
        pkg: '@tensorflow/tfjs-node',
        isUsingGpuDevice: false,
        earlier: [{ pkg: '@tensorflow/tfjs-node-gpu', reason: '@tensorflow/tfjs-node-gpu not installed', hint: 'npm install it' }],
      },
      expected: {
        device: 'Xeon (libtensorflow, CPU)',
        isGpu: false,
        reason: 'loaded @tensorflow/tfjs-node; @tensorflow/tfjs-node-gpu not installed',
        hint: 'npm install it',
      },
    },
  ];

  it.each(cases)('$name', ({ facts, expected, hint }) => {
    const got = summarizeTensorflowDevice({ ...BASE, ...facts });
    expect(got).toMatchObject(expected);
    if (hint === null) expect(got.hint).toBeUndefined();
    else if (hint) expect(got.hint).toMatch(hint);
  });
});

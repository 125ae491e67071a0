import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './index.ts';
import { TOLERANCE, compareWithCpu, initBackends, normal } from '../../../test/support/wasm-vs-cpu.ts';

beforeAll(initBackends);

const KERNELS = [
  'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum', 'MaxPoolGrad', 'BatchMatMul', 'Tile',
  'Sum', 'Mean', 'Identity', 'GatherV2', 'Transpose',
];

describe('registerWasmTrainingKernels', () => {
  it('registers every kernel for wasm and is idempotent', async () => {
    const first = KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    expect(first.every((f) => f != null)).toBe(true);
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    // Same functions: a second call neither re-registers nor wraps a wrapper.
    expect(KERNELS.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc)).toEqual(first);
    const err = await compareWithCpu([normal([20, 30]), normal([20, 10])], (a, b) => tf.matMul(a, b, true, false));
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('keeps the stock setupFunc on wrapped kernels, so registering before setBackend works', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')?.setupFunc).toBeTypeOf('function');
  });
});

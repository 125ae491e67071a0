/**
 * batchlab's one-dispatch webgpu MaxPoolGrad against the cpu backend on fresh random inputs
 * (the CNN's 2x2 stride-2 pools, overlapping 3x3 windows, 'same' padding on odd sizes, explicit
 * padding, windows larger than the stride), and against tfjs-webgpu's own kernel on inputs full
 * of ties (where the cpu backend picks the first maximum and webgpu the last); run to run
 * bit-identity; one dispatch; no leaks. Skipped without a Vulkan adapter, failing under
 * BATCHLAB_REQUIRE_SYSTEM=1.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runKernelOn, sameBits, type HostTensor } from '../../../test/support/kernel-on.ts';
import { probeWebgpuForTests, useWebgpuSuite } from '../../../test/support/webgpu-suite.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { randn } from '../../../test/support/wasm-vs-cpu.ts';
import { countDispatches } from '../webgpu-dispatch-counter.ts';
import { registerWebgpuKernels, restoreStockWebgpuKernels } from './index.ts';
import { isBatchlabWebgpuKernel } from './replace-kernel.ts';
import { geometryOf, windowsTile } from './max-pool-grad.ts';

const TOLERANCE = 1e-4;

const { probe, skipWebgpu } = await probeWebgpuForTests();

interface Case {
  name: string;
  x: number[];
  filter: number;
  stride: number;
  pad: 'same' | 'valid' | number;
}

const attrsOf = (c: Case) => ({ filterSize: [c.filter, c.filter], strides: [c.stride, c.stride], pad: c.pad, dimRoundingMode: undefined });

/** x, the pool's output y and a random dy for it, as MaxPoolGrad's inputs (y computed on cpu). */
async function inputsFor(c: Case, xValues: Float32Array): Promise<Record<string, HostTensor>> {
  await tf.setBackend('cpu');
  const y = tf.tidy(() => tf.maxPool(tf.tensor4d(xValues, c.x as [number, number, number, number]), c.filter, c.stride, c.pad));
  const output = { shape: y.shape.slice(), values: Float32Array.from(await y.data()) };
  y.dispose();
  return { dy: { shape: output.shape, values: randn(output.values.length) }, input: { shape: c.x, values: xValues }, output };
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

const CASES: Case[] = [
  { name: 'cnn pool 1: 2x2 stride 2 on 28x28x16', x: [3, 28, 28, 16], filter: 2, stride: 2, pad: 'valid' },
  { name: 'cnn pool 2: 2x2 stride 2 on 14x14x32, batch 1', x: [1, 14, 14, 32], filter: 2, stride: 2, pad: 'valid' },
  { name: 'overlapping 3x3 stride 2, same, odd 7x9x5', x: [2, 7, 9, 5], filter: 3, stride: 2, pad: 'same' },
  { name: '3x3 stride 1, same, 6x5x3', x: [2, 6, 5, 3], filter: 3, stride: 1, pad: 'same' },
  { name: '2x2 stride 2, same, odd 9x7x2 (a partial last window)', x: [2, 9, 7, 2], filter: 2, stride: 2, pad: 'same' },
  { name: 'explicit padding 1, 3x3 stride 3, 10x10x4', x: [1, 10, 10, 4], filter: 3, stride: 3, pad: 1 },
  { name: '1x1 stride 2 (elements in no window)', x: [2, 5, 5, 3], filter: 1, stride: 2, pad: 'valid' },
  { name: '2x2 stride 2, valid, odd 9x7x3 (a row and a column in no window)', x: [2, 9, 7, 3], filter: 2, stride: 2, pad: 'valid' },
  { name: '3x3 stride 3, valid, 9x6x5 (windows that tile)', x: [2, 9, 6, 5], filter: 3, stride: 3, pad: 'valid' },
];

describe('windowsTile', () => {
  const geometry = (x: number[], filter: number, stride: number, pad: 'valid' | 'same') =>
    geometryOf(tf.backend_util.computePool2DInfo(x as [number, number, number, number], filter, stride, 1, pad));
  it('takes filter = stride without padding on sizes the windows cover', () => {
    expect(windowsTile(geometry([3, 28, 28, 16], 2, 2, 'valid'))).toBe(true);
    expect(windowsTile(geometry([3, 28, 28, 16], 2, 2, 'same'))).toBe(true);
    expect(windowsTile(geometry([2, 9, 6, 5], 3, 3, 'valid'))).toBe(true);
  });
  it('leaves overlapping, padded and partly covered inputs to the general program', () => {
    expect(windowsTile(geometry([2, 9, 7, 3], 2, 2, 'valid'))).toBe(false);
    expect(windowsTile(geometry([2, 9, 7, 3], 2, 2, 'same'))).toBe(false);
    expect(windowsTile(geometry([2, 7, 9, 5], 3, 2, 'same'))).toBe(false);
    expect(windowsTile(geometry([2, 6, 6, 3], 3, 3, 'same'))).toBe(true);
  });
});

describe.skipIf(skipWebgpu)(`webgpu MaxPoolGrad matches cpu on ${probe.usable ? probe.device : 'no device'}`, () => {
  useWebgpuSuite();

  it('is batchlab\'s kernel on webgpu', () => {
    expect(isBatchlabWebgpuKernel('MaxPoolGrad')).toBe(true);
  });

  it.each(CASES)('$name', async (c) => {
    const inputs = await inputsFor(c, randn(size(c.x)));
    const ref = await runKernelOn('cpu', 'MaxPoolGrad', inputs, attrsOf(c));
    const { result: got, counts } = await countDispatches(tf.findBackend('webgpu'), () => runKernelOn('webgpu', 'MaxPoolGrad', inputs, attrsOf(c)));
    const again = await runKernelOn('webgpu', 'MaxPoolGrad', inputs, attrsOf(c));
    expect(got.shape).toEqual(c.x);
    expect(Object.fromEntries(counts.byProgram)).toEqual({ BatchlabMaxPoolGrad: 1 });
    expect(relError(got.values, ref.values)).toBeLessThan(TOLERANCE);
    expect(sameBits(got.values, again.values)).toBe(true);
  });

  it.each([CASES[0]!, CASES[2]!, CASES[7]!])('on ties (values 0..2, as after a ReLU) gives the same bits as tfjs-webgpu\'s kernel: $name', async (c) => {
    const xValues = Float32Array.from({ length: size(c.x) }, () => Math.floor(Math.random() * 3));
    const inputs = await inputsFor(c, xValues);
    const ours = await runKernelOn('webgpu', 'MaxPoolGrad', inputs, attrsOf(c));
    restoreStockWebgpuKernels();
    try {
      const stock = await runKernelOn('webgpu', 'MaxPoolGrad', inputs, attrsOf(c));
      expect(sameBits(ours.values, stock.values)).toBe(true);
    } finally {
      registerWebgpuKernels();
    }
    expect(isBatchlabWebgpuKernel('MaxPoolGrad')).toBe(true);
  });

  it('leaves no backend data behind', async () => {
    const c = CASES[2]!;
    const inputs = await inputsFor(c, randn(size(c.x)));
    const backend = tf.findBackend('webgpu');
    await tf.setBackend('webgpu');
    const before = backend.numDataIds();
    await runKernelOn('webgpu', 'MaxPoolGrad', inputs, attrsOf(c));
    expect(backend.numDataIds()).toBe(before);
  });
});

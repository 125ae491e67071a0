/**
 * batchlab's direct webgpu Conv2D (filters with KH*KW*C <= 64) against the cpu backend on fresh
 * random inputs: the first layers of batchlab's models (cnn conv1, resnet stem, 5x5 on grey) and
 * odd shapes, stride 2, dilation 2, explicit padding; run to run bit-identity; the fallback to
 * the tiled program for larger filters; tfjs's kernel for NCHW; no leaks. Lavapipe or a GPU: skipped without a
 * Vulkan adapter, failing under BATCHLAB_REQUIRE_SYSTEM=1.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runKernelOn, sameBits } from '../../../test/support/kernel-on.ts';
import { probeWebgpuForTests, useWebgpuSuite } from '../../../test/support/webgpu-suite.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { randn } from '../../../test/support/wasm-vs-cpu.ts';
import { countDispatches } from '../webgpu-dispatch-counter.ts';
import { isBatchlabWebgpuKernel } from './replace-kernel.ts';

const TOLERANCE = 1e-4;

const { probe, skipWebgpu } = await probeWebgpuForTests();

interface Case {
  name: string;
  x: number[];
  filter: number[];
  stride: number;
  pad: 'same' | 'valid' | number;
  dilation?: number;
  dataFormat?: 'NHWC' | 'NCHW';
}

const attrsOf = (c: Case) => ({
  strides: [c.stride, c.stride], pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dilations: [c.dilation ?? 1, c.dilation ?? 1], dimRoundingMode: undefined,
});

/** Runs the case on cpu then webgpu from the same random values; the relative error, webgpu's output and its programs. */
async function compare(c: Case): Promise<{ err: number; got: Float32Array; programs: string[] }> {
  const inputs = {
    x: { shape: c.x, values: randn(c.x.reduce((a, b) => a * b, 1)) },
    filter: { shape: c.filter, values: randn(c.filter.reduce((a, b) => a * b, 1)) },
  };
  const ref = await runKernelOn('cpu', 'Conv2D', inputs, attrsOf(c));
  const { result: got, counts } = await countDispatches(tf.findBackend('webgpu'), () => runKernelOn('webgpu', 'Conv2D', inputs, attrsOf(c)));
  expect(got.shape).toEqual(ref.shape);
  return { err: relError(got.values, ref.values), got: got.values, programs: [...counts.byProgram.keys()] };
}

const DIRECT: Case[] = [
  { name: 'cnn conv1 / resnet stem: 3x3, 1 -> 16, 28x28 same', x: [4, 28, 28, 1], filter: [3, 3, 1, 16], stride: 1, pad: 'same' },
  { name: 'cnn kernelSize 5 on grey: 5x5, 1 -> 8', x: [2, 28, 28, 1], filter: [5, 5, 1, 8], stride: 1, pad: 'same' },
  { name: 'RGB 3x3, 3 -> 5 (tiles of 1), batch 1, odd 9x11, valid', x: [1, 9, 11, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'valid' },
  { name: 'stride 2 same, 2 -> 6 (tiles of 2), odd 13x13', x: [3, 13, 13, 2], filter: [3, 3, 2, 6], stride: 2, pad: 'same' },
  { name: 'dilation 2, 3x3, 1 -> 4, 12x10 same', x: [2, 12, 10, 1], filter: [3, 3, 1, 4], stride: 1, pad: 'same', dilation: 2 },
  { name: 'explicit padding 2, stride 2, 4x2 filter, 4 -> 4', x: [2, 9, 9, 4], filter: [4, 2, 4, 4], stride: 2, pad: 2 },
  { name: 'the largest direct filter: 4x4x4 = 64 taps', x: [2, 8, 8, 4], filter: [4, 4, 4, 8], stride: 1, pad: 'valid' },
];

describe.skipIf(skipWebgpu)(`webgpu direct Conv2D matches cpu on ${probe.usable ? probe.device : 'no device'}`, () => {
  useWebgpuSuite();

  it('is batchlab\'s kernel on webgpu', () => {
    expect(isBatchlabWebgpuKernel('Conv2D')).toBe(true);
  });

  it.each(DIRECT)('$name', async (c) => {
    const { err, programs } = await compare(c);
    expect(programs).toEqual(['Conv2DDirectProgram']);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('sends a filter over 64 taps x channels to the tiled program', async () => {
    const { err, programs } = await compare({ name: 'cnn conv2', x: [2, 14, 14, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' });
    expect(programs).toEqual(['Conv2DTiledProgram']);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it.each([
    { name: 'NCHW', x: [2, 1, 9, 9], filter: [3, 3, 1, 4], stride: 1, pad: 'same' as const, dataFormat: 'NCHW' as const },
  ])('falls back to tfjs\'s kernel for $name, still matching cpu', async (c) => {
    const { err, programs } = await compare(c);
    expect(programs).not.toContain('Conv2DDirectProgram');
    expect(programs.length).toBeGreaterThan(0);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('gives the same bits run to run and leaves no backend data behind', async () => {
    const c = DIRECT[0]!;
    const inputs = {
      x: { shape: c.x, values: randn(c.x.reduce((a, b) => a * b, 1)) },
      filter: { shape: c.filter, values: randn(c.filter.reduce((a, b) => a * b, 1)) },
    };
    const backend = tf.findBackend('webgpu');
    await tf.setBackend('webgpu');
    const before = backend.numDataIds();
    const first = await runKernelOn('webgpu', 'Conv2D', inputs, attrsOf(c));
    const second = await runKernelOn('webgpu', 'Conv2D', inputs, attrsOf(c));
    expect(backend.numDataIds()).toBe(before);
    expect(sameBits(first.values, second.values)).toBe(true);
  });
});

/**
 * batchlab's tiled webgpu Conv2D, FusedConv2D and Conv2DBackpropInput against the cpu backend on
 * fresh random inputs: the shapes of batchlab's models (first layers on grey and RGB, cnn conv2,
 * resnet's 3x3 stride 1 and 2 and its 1x1 stride-2 projections) and odd ones (batch 1, channels not divisible by 4, 5x5 and 1x1
 * filters, valid / same / explicit padding, dilation 2, widths the tile does not divide); the fused
 * bias and activations; one dispatch each, asserted so a silent fallback fails; the fallbacks to
 * tfjs's kernel; run to run bit-identity; no leaks. Lavapipe or a GPU: skipped without a Vulkan
 * adapter, failing under BATCHLAB_REQUIRE_SYSTEM=1.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runKernelOn, sameBits, type HostTensor } from '../../../test/support/kernel-on.ts';
import { probeWebgpuForTests, useWebgpuSuite } from '../../../test/support/webgpu-suite.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { randn } from '../../../test/support/wasm-vs-cpu.ts';
import { countDispatches } from '../webgpu-dispatch-counter.ts';
import { isBatchlabWebgpuKernel } from './replace-kernel.ts';

const TOLERANCE = 1e-4;
const TILED = 'Conv2DTiledProgram';

const { probe, skipWebgpu } = await probeWebgpuForTests();

type Pad = 'same' | 'valid' | number;

interface Case {
  name: string;
  /** Forward input [N,H,W,C]. */
  x: number[];
  filter: number[];
  stride: number;
  pad: Pad;
  dilation?: number;
}

const host = (shape: number[]): HostTensor => ({ shape, values: randn(shape.reduce((a, b) => a * b, 1)) });

/** The forward output shape, from tfjs's own arithmetic. */
function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x as never, c.filter as never, c.stride, c.dilation ?? 1, c.pad);
  return info.outShape;
}

/** Runs a kernel on cpu then webgpu from the same inputs; the error, webgpu's values and the programs it ran. */
async function compare(kernel: string, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>) {
  const ref = await runKernelOn('cpu', kernel, inputs, attrs);
  const { result: got, counts } = await countDispatches(tf.findBackend('webgpu'), () => runKernelOn('webgpu', kernel, inputs, attrs));
  expect(got.shape).toEqual(ref.shape);
  return { err: relError(got.values, ref.values), got: got.values, programs: [...counts.byProgram.entries()] };
}

const forwardAttrs = (c: Case, extra: Record<string, unknown> = {}) => ({
  strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', dilations: [c.dilation ?? 1, c.dilation ?? 1], dimRoundingMode: undefined, ...extra,
});

const inputGradAttrs = (c: Case, dataFormat = 'NHWC') => ({
  inputShape: c.x, strides: [c.stride, c.stride], pad: c.pad, dataFormat, dimRoundingMode: undefined,
});

/** First layers (only their forward pass runs: InputConv2D skips the images' gradient). */
const FIRST_LAYERS: Case[] = [
  { name: 'cnn conv1 / resnet stem on grey: 3x3, 1 -> 16, 28x28 same', x: [4, 28, 28, 1], filter: [3, 3, 1, 16], stride: 1, pad: 'same' },
  { name: 'cnn kernelSize 5 on grey: 5x5, 1 -> 8', x: [2, 28, 28, 1], filter: [5, 5, 1, 8], stride: 1, pad: 'same' },
  { name: 'resnet stem on RGB: 3x3, 3 -> 16, 32x32 same', x: [2, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'same' },
];

const MODEL_SHAPES: Case[] = [
  { name: 'cnn conv2: 3x3, 16 -> 32, 14x14 same', x: [3, 14, 14, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { name: 'resnet stage 1: 3x3, 16 -> 16, 8x8 same', x: [2, 8, 8, 16], filter: [3, 3, 16, 16], stride: 1, pad: 'same' },
  { name: 'resnet stage 2 entry: 3x3 stride 2, 16 -> 32, 8x8 same', x: [2, 8, 8, 16], filter: [3, 3, 16, 32], stride: 2, pad: 'same' },
  { name: 'resnet projection: 1x1 stride 2, 32 -> 64, 8x8 same', x: [2, 8, 8, 32], filter: [1, 1, 32, 64], stride: 2, pad: 'same' },
];

const ODD_SHAPES: Case[] = [
  { name: 'batch 1, 5x5, 3 -> 5, 9x11 valid', x: [1, 9, 11, 3], filter: [5, 5, 3, 5], stride: 1, pad: 'valid' },
  { name: 'stride 2 same, 7 -> 6, odd 13x13', x: [2, 13, 13, 7], filter: [3, 3, 7, 6], stride: 2, pad: 'same' },
  { name: 'stride 2 valid, 6 -> 10, 12x9', x: [2, 12, 9, 6], filter: [3, 3, 6, 10], stride: 2, pad: 'valid' },
  { name: 'explicit padding 2, 4x2 filter, 9 -> 12', x: [2, 9, 10, 9], filter: [4, 2, 9, 12], stride: 1, pad: 2 },
  { name: 'explicit padding 1, stride 2, 5x5, 8 -> 3', x: [1, 11, 11, 8], filter: [5, 5, 8, 3], stride: 2, pad: 1 },
  { name: '1x1, 10 -> 7, width 5', x: [3, 6, 5, 10], filter: [1, 1, 10, 7], stride: 1, pad: 'valid' },
  { name: 'width 1, 3x3 same, 12 -> 24', x: [2, 5, 1, 12], filter: [3, 3, 12, 24], stride: 1, pad: 'same' },
];

const DILATED: Case = { name: 'dilation 2, 3x3, 8 -> 8, 12x10 same', x: [2, 12, 10, 8], filter: [3, 3, 8, 8], stride: 1, pad: 'same', dilation: 2 };

describe.skipIf(skipWebgpu)(`webgpu tiled convolutions match cpu on ${probe.usable ? probe.device : 'no device'}`, () => {
  useWebgpuSuite();

  it('are batchlab\'s kernels on webgpu', () => {
    for (const name of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput']) expect(isBatchlabWebgpuKernel(name)).toBe(true);
  });

  it.each([...FIRST_LAYERS, ...MODEL_SHAPES, ...ODD_SHAPES, DILATED])('FusedConv2D and Conv2D: $name', async (c) => {
    const inputs = { x: host(c.x), filter: host(c.filter) };
    const fused = await compare('FusedConv2D', inputs, forwardAttrs(c, { activation: 'linear', leakyreluAlpha: undefined }));
    expect(fused.programs).toEqual([[TILED, 1]]);
    expect(fused.err).toBeLessThan(TOLERANCE);
    const plain = await compare('Conv2D', inputs, forwardAttrs(c));
    expect(plain.programs).toEqual([[TILED, 1]]);
    expect(plain.err).toBeLessThan(TOLERANCE);
  });

  it.each([...MODEL_SHAPES, ...ODD_SHAPES])('Conv2DBackpropInput: $name', async (c) => {
    const { err, programs } = await compare('Conv2DBackpropInput', { dy: host(outShape(c)), filter: host(c.filter) }, inputGradAttrs(c));
    expect(programs).toEqual([[TILED, 1]]);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it.each([
    { activation: 'linear', bias: false }, { activation: 'linear', bias: true },
    { activation: 'relu', bias: true }, { activation: 'relu6', bias: false },
  ])('FusedConv2D with $activation, bias $bias, on two shapes', async ({ activation, bias }) => {
    for (const c of [MODEL_SHAPES[0]!, ODD_SHAPES[1]!]) {
      const inputs: Record<string, HostTensor> = { x: host(c.x), filter: host(c.filter) };
      if (bias) inputs.bias = host([c.filter[3]!]);
      // relu6 only clips where values pass 6: scale the inputs so some do.
      if (activation === 'relu6') inputs.x!.values.forEach((v, i, a) => { a[i] = v * 3; });
      const { err, programs } = await compare('FusedConv2D', inputs, forwardAttrs(c, { activation, leakyreluAlpha: undefined }));
      expect(programs).toEqual([[TILED, 1]]);
      expect(err).toBeLessThan(TOLERANCE);
    }
  });

  it.each([
    { name: 'FusedConv2D with leakyrelu', kernel: 'FusedConv2D', extra: { activation: 'leakyrelu', leakyreluAlpha: 0.2 } },
    { name: 'FusedConv2D with elu', kernel: 'FusedConv2D', extra: { activation: 'elu', leakyreluAlpha: undefined } },
  ])('falls back to tfjs\'s kernel for $name, still matching cpu', async ({ kernel, extra }) => {
    const c = MODEL_SHAPES[0]!;
    const { err, programs } = await compare(kernel, { x: host(c.x), filter: host(c.filter), bias: host([c.filter[3]!]) }, forwardAttrs(c, extra));
    expect(programs.map(([p]) => p)).not.toContain(TILED);
    expect(programs.length).toBeGreaterThan(0);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('falls back to tfjs\'s kernel for FusedConv2D with a PReLU, still matching cpu', async () => {
    const c = MODEL_SHAPES[0]!;
    const { err, programs } = await compare('FusedConv2D', { x: host(c.x), filter: host(c.filter), preluActivationWeights: host([c.filter[3]!]) },
      forwardAttrs(c, { activation: 'prelu', leakyreluAlpha: undefined }));
    expect(programs.map(([p]) => p)).not.toContain(TILED);
    expect(err).toBeLessThan(TOLERANCE);
  });

  // tfjs-webgpu 4.22's own kernel differs from cpu here (relative error ~1.9 when it was tried).
  it('adds a bias of one value ([1]) to every channel', async () => {
    const c = MODEL_SHAPES[0]!;
    const { err, programs } = await compare('FusedConv2D', { x: host(c.x), filter: host(c.filter), bias: host([1]) },
      forwardAttrs(c, { activation: 'relu', leakyreluAlpha: undefined }));
    expect(programs).toEqual([[TILED, 1]]);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('falls back to tfjs\'s kernel for NCHW input gradients', async () => {
    const c: Case = { name: 'nchw', x: [2, 4, 9, 9], filter: [3, 3, 4, 8], stride: 1, pad: 'same' };
    const { err, programs } = await compare('Conv2DBackpropInput', { dy: host([2, 8, 9, 9]), filter: host(c.filter) }, inputGradAttrs(c, 'NCHW'));
    expect(programs.map(([p]) => p)).not.toContain(TILED);
    expect(programs.length).toBeGreaterThan(0);
    expect(err).toBeLessThan(TOLERANCE);
  });

  // A NaN must reach exactly the outputs whose sums hold it: the columns a tile reads outside
  // the image, or between a stride's taps, are dropped, not multiplied by 0.
  it.each([
    { kernel: 'Conv2D', c: { name: '1x1 with explicit padding 1: border outputs are all padding', x: [2, 6, 6, 4], filter: [1, 1, 4, 8], stride: 1, pad: 1 } as Case },
    { kernel: 'Conv2DBackpropInput', c: MODEL_SHAPES[2]! },
  ])('$kernel: a NaN spreads to the same outputs as on cpu ($c.name)', async ({ kernel, c }) => {
    const fwd = kernel === 'Conv2D';
    const src = host(fwd ? c.x : outShape(c));
    src.values[src.shape[2]! * src.shape[3]! + 1] = NaN; // image 0, row 1, column 0, channel 1
    const inputs: Record<string, HostTensor> = { [fwd ? 'x' : 'dy']: src, filter: host(c.filter) };
    const attrs = fwd ? forwardAttrs(c) : inputGradAttrs(c);
    const ref = await runKernelOn('cpu', kernel, inputs, attrs);
    const got = await runKernelOn('webgpu', kernel, inputs, attrs);
    const nanAt = (v: Float32Array) => [...v.keys()].filter((i) => Number.isNaN(v[i]));
    expect(nanAt(ref.values).length).toBeGreaterThan(0);
    expect(nanAt(got.values)).toEqual(nanAt(ref.values));
    const finite = (v: Float32Array) => v.map((e) => (Number.isNaN(e) ? 0 : e));
    expect(relError(finite(got.values), finite(ref.values))).toBeLessThan(TOLERANCE);
  });

  it('gives the same bits run to run and leaves no backend data behind', async () => {
    const c = MODEL_SHAPES[2]!;
    const fwd = { x: host(c.x), filter: host(c.filter) };
    const back = { dy: host(outShape(c)), filter: fwd.filter };
    const backend = tf.findBackend('webgpu');
    await tf.setBackend('webgpu');
    const before = backend.numDataIds();
    const runs = [];
    for (let i = 0; i < 2; i++) {
      runs.push([await runKernelOn('webgpu', 'Conv2D', fwd, forwardAttrs(c)), await runKernelOn('webgpu', 'Conv2DBackpropInput', back, inputGradAttrs(c))]);
    }
    expect(backend.numDataIds()).toBe(before);
    expect(sameBits(runs[0]![0]!.values, runs[1]![0]!.values)).toBe(true);
    expect(sameBits(runs[0]![1]!.values, runs[1]![1]!.values)).toBe(true);
  });
});

/**
 * batchlab's webgpu filter gradients (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter)
 * against the cpu backend, on fresh random inputs, for the shapes batchlab's models use (cnn,
 * resnet stem, stages and 1x1 projections) and odd ones; run to run bit-identity; the fallback
 * to tfjs's kernels; no leaked tensors or backend data. Lavapipe or a GPU: skipped without a
 * Vulkan adapter, failing under BATCHLAB_REQUIRE_SYSTEM=1.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { probeWebgpuForTests, useWebgpuSuite } from '../../../test/support/webgpu-suite.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { randn } from '../../../test/support/wasm-vs-cpu.ts';
import { runKernelOn, sameBits } from '../../../test/support/kernel-on.ts';
import { countDispatches } from '../webgpu-dispatch-counter.ts';
import { planFilterGrad } from './filter-grad-plan.ts';
import { registerWebgpuKernels, restoreStockWebgpuKernels } from './index.ts';
import { isBatchlabWebgpuKernel } from './replace-kernel.ts';

const TOLERANCE = 1e-4;

const { probe, skipWebgpu } = await probeWebgpuForTests();

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number;

interface Case {
  name: string;
  kernel: 'Conv2DBackpropFilter' | 'DepthwiseConv2dNativeBackpropFilter';
  x: Shape4;
  filter: Shape4;
  stride: number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilation?: number;
}

/** dy's shape: the forward convolution's output for x and the filter. */
function dyShape(c: Case): Shape4 {
  const nchw = c.dataFormat === 'NCHW';
  const [n, h, w, ch] = nchw ? [c.x[0], c.x[2], c.x[3], c.x[1]] : c.x;
  const info = tf.backend_util.computeConv2DInfo([n, h, w, ch], c.filter, c.stride, c.dilation ?? 1, c.pad, undefined, c.kernel !== 'Conv2DBackpropFilter');
  return nchw ? [n, info.outChannels, info.outHeight, info.outWidth] : [n, info.outHeight, info.outWidth, info.outChannels];
}

function attrsOf(c: Case): Record<string, unknown> {
  const common = { strides: [c.stride, c.stride], pad: c.pad, dimRoundingMode: undefined, filterShape: c.filter };
  return c.kernel === 'Conv2DBackpropFilter'
    ? { ...common, dataFormat: c.dataFormat ?? 'NHWC' }
    : { ...common, dilations: [c.dilation ?? 1, c.dilation ?? 1] };
}

/** The kernel on `backend` for these values of x and dy. */
async function filterGradOn(backend: 'cpu' | 'webgpu', c: Case, xv: Float32Array, dyv: Float32Array): Promise<Float32Array> {
  const dw = await runKernelOn(backend, c.kernel, { x: { shape: c.x, values: xv }, dy: { shape: dyShape(c), values: dyv } }, attrsOf(c));
  expect(dw.shape).toEqual(c.filter);
  return dw.values;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

async function compare(c: Case): Promise<number> {
  const xv = randn(size(c.x));
  const dyv = randn(size(dyShape(c)));
  const ref = await filterGradOn('cpu', c, xv, dyv);
  const got = await filterGradOn('webgpu', c, xv, dyv);
  return relError(got, ref);
}

const conv = (name: string, x: Shape4, filter: Shape4, stride: number, pad: Pad): Case => ({ name, kernel: 'Conv2DBackpropFilter', x, filter, stride, pad });
const depthwise = (name: string, x: Shape4, filter: Shape4, stride: number, pad: Pad): Case =>
  ({ name, kernel: 'DepthwiseConv2dNativeBackpropFilter', x, filter, stride, pad });

const CONV: Case[] = [
  conv('cnn conv1: 3x3, 1 -> 16, 28x28 same', [8, 28, 28, 1], [3, 3, 1, 16], 1, 'same'),
  conv('cnn conv2: 3x3, 16 -> 32, 14x14 same', [4, 14, 14, 16], [3, 3, 16, 32], 1, 'same'),
  conv('cnn kernelSize 5: 5x5, 1 -> 8', [3, 28, 28, 1], [5, 5, 1, 8], 1, 'same'),
  conv('resnet stage conv, stride 2: 3x3, 16 -> 32, 14x14', [2, 14, 14, 16], [3, 3, 16, 32], 2, 'same'),
  conv('resnet projection: 1x1 stride 2, 16 -> 32', [2, 14, 14, 16], [1, 1, 16, 32], 2, 'same'),
  conv('resnet last stage, stride 2 on 7x7: 3x3, 32 -> 64', [2, 7, 7, 32], [3, 3, 32, 64], 2, 'same'),
  conv('batch 1, odd 9x11, 3 -> 5 channels, valid', [1, 9, 11, 3], [3, 3, 3, 5], 1, 'valid'),
  conv('non-square 3x2 filter, 6 -> 6 (tiles of 2), stride 2 valid, 10x7', [3, 10, 7, 6], [3, 2, 6, 6], 2, 'valid'),
  conv('5x5 stride 2 same on 8x8, 2 -> 3', [2, 8, 8, 2], [5, 5, 2, 3], 2, 'same'),
  conv('explicit padding 1, stride 2, 9x9', [2, 9, 9, 4], [3, 3, 4, 4], 2, 1),
  conv('one chunk: 1x5x5, 3x3 valid', [1, 5, 5, 1], [3, 3, 1, 4], 1, 'valid'),
];

const DEPTHWISE: Case[] = [
  depthwise('3x3 multiplier 1, 3 channels, same', [2, 8, 8, 3], [3, 3, 3, 1], 1, 'same'),
  depthwise('3x3 multiplier 2, stride 2 valid, 9x9', [2, 9, 9, 3], [3, 3, 3, 2], 2, 'valid'),
  depthwise('batch 1, odd 7x5, 8 channels (tiles of 4)', [1, 7, 5, 8], [3, 3, 8, 1], 1, 'same'),
  depthwise('5x5 multiplier 3 on 4 channels, stride 2 same, 11x9', [3, 11, 9, 4], [5, 5, 4, 3], 2, 'same'),
  depthwise('batch 16 on 28x28 (many chunks)', [16, 28, 28, 2], [3, 3, 2, 2], 1, 'same'),
];

describe.skipIf(skipWebgpu)(`webgpu filter gradients match cpu on ${probe.usable ? probe.device : 'no device'}`, () => {
  useWebgpuSuite();

  it('the cases cover one-chunk and many-chunk plans', () => {
    const chunks = (c: Case) => {
      const [n, , , ch] = c.x;
      const [oh, ow] = dyShape(c).slice(1, 3);
      const mode = c.kernel === 'Conv2DBackpropFilter' ? 'conv' : 'depthwise';
      return planFilterGrad(mode, {
        batchSize: n, outHeight: oh!, outWidth: ow!, inChannels: ch, filterHeight: c.filter[0], filterWidth: c.filter[1], outChannels: c.filter[3],
      }).chunks;
    };
    expect(CONV.map(chunks)).toContain(1);
    expect(Math.max(...CONV.map(chunks))).toBeGreaterThan(10);
    expect(Math.max(...DEPTHWISE.map(chunks))).toBeGreaterThan(10);
  });

  describe.each([['Conv2DBackpropFilter', CONV], ['DepthwiseConv2dNativeBackpropFilter', DEPTHWISE]] as const)('%s', (kernel, cases) => {
    it('is batchlab\'s kernel on webgpu', () => {
      expect(isBatchlabWebgpuKernel(kernel)).toBe(true);
    });
    it.each(cases)('$name', async (c) => {
      expect(await compare(c)).toBeLessThan(TOLERANCE);
    });
  });

  it('runs batchlab\'s programs, gives the same bits run to run, and leaves no backend data behind', async () => {
    const c = CONV[1]!;
    const xv = randn(size(c.x));
    const dyv = randn(size(dyShape(c)));
    await tf.setBackend('webgpu');
    const backend = tf.findBackend('webgpu');
    const dataBefore = backend.numDataIds();
    const { result: first, counts } = await countDispatches(backend, () => filterGradOn('webgpu', c, xv, dyv));
    const second = await filterGradOn('webgpu', c, xv, dyv);
    expect(backend.numDataIds()).toBe(dataBefore);
    expect([...counts.byProgram.keys()]).toEqual(['FilterGradPartialsProgram', 'FilterGradSumChunksProgram']);
    expect(sameBits(second, first)).toBe(true);
  });

  it.each([
    { ...conv('NCHW (not handled: tfjs-webgpu\'s kernel runs)', [2, 3, 9, 9], [3, 3, 3, 4], 1, 'same'), dataFormat: 'NCHW' as const, stock: 'Conv2DDerFilterProgram' },
  ])('falls back for $name, still matching cpu', async (c) => {
    await tf.setBackend('webgpu');
    const { result: err, counts } = await countDispatches(tf.findBackend('webgpu'), () => compare(c));
    expect([...counts.byProgram.keys()]).toEqual([c.stock]);
    expect(err).toBeLessThan(TOLERANCE);
  });

  it('gives zeros for an empty batch, like cpu, without running a program', async () => {
    const c = conv('batch 0', [0, 5, 5, 1], [3, 3, 1, 4], 1, 'same');
    const ref = await filterGradOn('cpu', c, new Float32Array(0), new Float32Array(0));
    await tf.setBackend('webgpu');
    const { result: got, counts } = await countDispatches(tf.findBackend('webgpu'), () => filterGradOn('webgpu', c, new Float32Array(0), new Float32Array(0)));
    expect(counts.dispatches).toBe(0);
    expect(Array.from(got)).toEqual(Array.from(ref));
    expect(ref.every((v) => v === 0)).toBe(true);
  });

  it('falls back for depthwise dilation 2 (tfjs\'s gradients refuse it), giving tfjs-webgpu\'s result', async () => {
    const c: Case = { ...depthwise('dilation 2', [2, 9, 9, 3], [3, 3, 3, 1], 1, 'valid'), dilation: 2 };
    const xv = randn(size(c.x));
    const dyv = randn(size(dyShape(c)));
    await tf.setBackend('webgpu');
    const { result: ours, counts } = await countDispatches(tf.findBackend('webgpu'), () => filterGradOn('webgpu', c, xv, dyv));
    expect([...counts.byProgram.keys()]).toEqual(['DepthwiseConv2DDerFilterProgram']);
    restoreStockWebgpuKernels();
    try {
      expect(isBatchlabWebgpuKernel(c.kernel)).toBe(false);
      const stock = await filterGradOn('webgpu', c, xv, dyv);
      expect(sameBits(ours, stock)).toBe(true);
    } finally {
      registerWebgpuKernels();
    }
    expect(isBatchlabWebgpuKernel(c.kernel)).toBe(true);
  });
});

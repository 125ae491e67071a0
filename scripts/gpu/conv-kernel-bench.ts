/**
 * batchlab's tiled Conv2D / Conv2DBackpropInput programs against tfjs-webgpu's kernels, side by
 * side in one process, on one convolution shape: GPU time per call (tf.time's kernelMs: timestamp
 * queries where the adapter has them), the variants interleaved round by round so load changes
 * hit them alike. Prints one JSON line per variant with every round's time and the median.
 *
 * Usage: node bin/run-ts.mjs scripts/gpu/conv-kernel-bench.ts [--batch 256] [--hw 14] [--cin 16]
 *   [--cout 32] [--k 3] [--rounds 5] [--variants 4x8,7x8] [--filter-tiles 4x4,8x8]
 * --variants: tiled programs with these pixels x most channels per thread; --filter-tiles: the
 * filter gradient with these most input x output channels per thread.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, releaseBackend } from '../../src/backend/index.ts';
import { registerWebgpuKernels, restoreStockWebgpuKernels } from '../../src/backend/webgpu-kernels/index.ts';
import { Conv2DTiledProgram, convTileUniforms, planConvTile, type ConvTileMode } from '../../src/backend/webgpu-kernels/conv2d-tiled.ts';
import { convTileShapeOf } from '../../src/backend/webgpu-kernels/conv2d-tiled-kernels.ts';
import { runFilterGrad, type WebgpuProgramRunner } from '../../src/backend/webgpu-kernels/filter-grad-run.ts';

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    args: process.argv.slice(2), strict: true,
    options: {
      batch: { type: 'string', default: '256' }, hw: { type: 'string', default: '14' }, cin: { type: 'string', default: '16' },
      cout: { type: 'string', default: '32' }, k: { type: 'string', default: '3' }, rounds: { type: 'string', default: '5' },
      variants: { type: 'string', default: '' }, 'filter-tiles': { type: 'string', default: '' },
    },
  });
  const [b, hw, cin, cout, k] = [v.batch, v.hw, v.cin, v.cout, v.k].map(Number) as [number, number, number, number, number];
  await initBackend('webgpu');
  const backend = tf.backend() as unknown as WebgpuProgramRunner;
  const x = tf.randomNormal([b, hw, hw, cin]) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, cin, cout]) as tf.Tensor4D;
  const dy = tf.randomNormal([b, hw, hw, cout]) as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(x.shape, w.shape, 1, 1, 'same');
  const shape = convTileShapeOf(info);
  const ours = (mode: ConvTileMode, pixels: number, chans: number) => () => {
    const plan = planConvTile(mode, shape, pixels, chans);
    const program = new Conv2DTiledProgram(shape, plan);
    const src = mode === 'forward' ? x : dy;
    const out = backend.runWebGPUProgram(program, [src, w], 'float32', convTileUniforms(shape, plan));
    return tf.engine().makeTensorFromTensorInfo(out);
  };
  const fwd = () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same' });
  const inputGrad = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w },
    { inputShape: x.shape, strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined } as never) as tf.Tensor;
  // tfjs's own kernels: put back for the call, batchlab's registered again after it.
  const stock = (run: () => tf.Tensor) => () => {
    restoreStockWebgpuKernels();
    try { return run(); } finally { registerWebgpuKernels(); }
  };
  const runs: Array<[string, () => tf.Tensor]> = [
    ['tfjs FusedConv2D', stock(fwd)], ['batchlab FusedConv2D', fwd],
    ['tfjs Conv2D', stock(() => tf.conv2d(x, w, 1, 'same'))], ['batchlab Conv2D', () => tf.conv2d(x, w, 1, 'same')],
    ['tfjs Conv2DBackpropInput', stock(inputGrad)], ['batchlab Conv2DBackpropInput', inputGrad],
  ];
  for (const spec of v.variants!.split(',').filter((s) => s !== '')) {
    const [p, c] = spec.split('x').map(Number) as [number, number];
    runs.push([`tiled forward ${spec}`, ours('forward', p, c)], [`tiled input-grad ${spec}`, ours('input-grad', p, c)]);
  }
  for (const spec of v['filter-tiles']!.split(',').filter((s) => s !== '')) {
    const [maxTileIn, maxTileOut] = spec.split('x').map(Number) as [number, number];
    runs.push([`filter grad ${spec}`, () => tf.engine().makeTensorFromTensorInfo(
      runFilterGrad(backend, x, dy, 'conv', info, [k, k, cin, cout], { maxTileIn, maxTileOut }))]);
  }
  const times = new Map<string, number[]>(runs.map(([name]) => [name, []]));
  for (const [, run] of runs) { const t = run(); await t.data(); t.dispose(); } // compile
  for (let round = 0; round < Number(v.rounds); round++) {
    for (const [name, run] of runs) {
      const t = await tf.time(async () => { const out = run(); await out.data(); out.dispose(); });
      times.get(name)!.push(Math.round(Number(t.kernelMs) * 10) / 10);
    }
  }
  for (const [name, ts] of times) {
    const sorted = [...ts].sort((a, c) => a - c);
    console.log(JSON.stringify({ variant: name, batch: b, shape: [hw, cin, cout, k], median_ms: sorted[Math.floor(sorted.length / 2)], min_ms: sorted[0], rounds_ms: ts }));
  }
  tf.dispose([x, w, dy]);
  releaseBackend();
}

main().catch((err: unknown) => {
  process.stderr.write(`conv-kernel-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

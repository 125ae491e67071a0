/**
 * Speed check for the wasm training kernels: stock vs fixed on the same process and shapes.
 * Run: npx tsx src/backend/wasm-kernels/bench.ts   (prints a small table; not part of the library)
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.ts';

/** Median wall time of `f` in ms over `iters` runs (after 3 warm-ups); results are read back. */
function timeMs(f: () => tf.Tensor | tf.Tensor[], iters: number): number {
  const run = () => {
    const out = f();
    const outs = Array.isArray(out) ? out : [out];
    outs.forEach((t) => t.dataSync());
    tf.dispose(outs);
  };
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface Case {
  name: string;
  flops?: number;
  f: () => tf.Tensor | tf.Tensor[];
  iters: number;
}

function kernelCases(): Case[] {
  const batch = 256;
  const x = tf.randomNormal([batch, 784]);
  const w = tf.randomNormal([784, 256]);
  const dy = tf.randomNormal([batch, 256]);
  const mmFlops = 2 * batch * 784 * 256;
  const small = tf.randomNormal([64, 1, 1, 16]);
  const convDy = tf.randomNormal([64, 14, 14, 32]);
  const convW = tf.randomNormal([3, 3, 16, 32]);
  return [
    { name: 'matMul x.W        [256,784]x[784,256]', flops: mmFlops, f: () => tf.matMul(x, w), iters: 20 },
    { name: 'matMul x^T.dy (dW) [784,256]^T x[256,256]', flops: mmFlops, f: () => tf.matMul(x, dy, true, false), iters: 10 },
    { name: 'matMul dy.W^T (dx) [256,256]x[784,256]^T', flops: mmFlops, f: () => tf.matMul(dy, w, false, true), iters: 10 },
    { name: 'tile [64,1,1,16] x [1,28,28,1]', f: () => tf.tile(small, [1, 28, 28, 1]), iters: 20 },
    {
      name: 'conv2DBackpropInput 3x3 s1 same [64,14,14,16]<-[..,32]',
      flops: 2 * 64 * 14 * 14 * 9 * 16 * 32,
      f: () => tf.conv2dTranspose(convDy as tf.Tensor4D, convW as tf.Tensor4D, [64, 14, 14, 16], 1, 'same'),
      iters: 10,
    },
  ];
}

function report(label: string, cases: Case[]): void {
  for (const c of cases) {
    const ms = timeMs(c.f, c.iters);
    const gflops = c.flops ? `  ${(c.flops / ms / 1e6).toFixed(1)} GFLOP/s` : '';
    console.log(`${label.padEnd(6)} ${c.name.padEnd(58)} ${ms.toFixed(3).padStart(9)} ms${gflops}`);
  }
}

/** conv16-BN-relu-pool-conv32-BN-relu-GAP-dense on 28x28x1, one optimizer.minimize step. */
function cnnSamplesPerSecond(batch: number, steps: number): number {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const opt = tf.train.sgd(0.01);
  const xs = tf.randomNormal([batch, 28, 28, 1]);
  const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10).toFloat();
  const step = () => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
      true,
    );
    loss?.dataSync();
    loss?.dispose();
  };
  for (let i = 0; i < 3; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const s = (performance.now() - t0) / 1000;
  tf.dispose([xs, ys]);
  model.dispose();
  opt.dispose();
  return (batch * steps) / s;
}

await tf.setBackend('wasm');
await tf.ready();
report('stock', kernelCases());
registerWasmTrainingKernels();
report('fixed', kernelCases());
for (const batch of [64, 256]) {
  console.log(`cnn training (minimize, SGD) batch ${batch}: ${cnnSamplesPerSecond(batch, 20).toFixed(0)} samples/s`);
}

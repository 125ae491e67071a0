/**
 * Where a training step of the GPU benchmark's CNN spends its time on one backend: each forward
 * and backward op of the model, timed alone at the shapes a step at batch B uses, after warm-up,
 * with a read-back after each repetition so queued GPU work is counted. Prints one JSON object per
 * (batch, op): {"backend","batch","op","ms"}, the median of the repetitions.
 *
 * Usage: node bin/run-ts.mjs scripts/gpu/webgpu-kernel-times.ts [--backend webgpu] [--batches 256,1024] [--reps 5]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, isBackendName, releaseBackend } from '../../src/backend/index.ts';
import { batchNormTrain } from '../../src/models/batch-norm-train.ts';

type Op = [name: string, run: () => tf.Tensor | tf.Tensor[]];

function opsFor(b: number): { ops: Op[]; dispose: () => void } {
  const r = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 7);
  const x = r([b, 28, 28, 1]);
  const w1 = r([3, 3, 1, 16]);
  const h1 = r([b, 28, 28, 16]);
  const p1 = r([b, 14, 14, 16]);
  const w2 = r([3, 3, 16, 32]);
  const h2 = r([b, 14, 14, 32]);
  const g16 = tf.ones([16]) as tf.Tensor1D;
  const z16 = tf.zeros([16]) as tf.Tensor1D;
  const g32 = tf.ones([32]) as tf.Tensor1D;
  const z32 = tf.zeros([32]) as tf.Tensor1D;
  const ops: Op[] = [
    ['conv1 forward', () => tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same')],
    ['conv1 filter gradient', () => filterGrad(x, h1, [3, 3, 1, 16])],
    ['conv2 forward', () => tf.conv2d(p1 as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'same')],
    ['conv2 filter gradient', () => filterGrad(p1, h2, [3, 3, 16, 32])],
    ['conv2 input gradient', () => tf.engine().runKernel('Conv2DBackpropInput', { dy: h2, filter: w2 },
      { inputShape: [b, 14, 14, 16], strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined } as never) as tf.Tensor],
    ['bn1 forward+backward', () => tf.grad((t: tf.Tensor) => tf.sum(batchNormTrain(t, g16, z16, 1e-5).y))(h1)],
    ['bn2 forward+backward', () => tf.grad((t: tf.Tensor) => tf.sum(batchNormTrain(t, g32, z32, 1e-5).y))(h2)],
    ['relu1 forward+backward', () => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(h1)],
    ['maxpool1 forward+backward', () => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(h1)],
    ['maxpool2 forward+backward', () => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(h2)],
    ['global average pool', () => tf.mean(r([b, 7, 7, 32]), [1, 2])],
  ];
  return { ops, dispose: () => tf.dispose([x, w1, h1, p1, w2, h2, g16, z16, g32, z32]) };
}

/** The kernel tfjs runs for a conv layer's filter gradient (not in tfjs's public API). */
function filterGrad(x: tf.Tensor, dy: tf.Tensor, filterShape: number[]): tf.Tensor {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
    { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape } as never) as tf.Tensor;
}

async function timeOp(run: () => tf.Tensor | tf.Tensor[], reps: number): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const out = tf.tidy(run);
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data()));
    tf.dispose(list);
    return performance.now() - t0;
  };
  await once(); // compiles the shaders
  await once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  times.sort((a, c) => a - c);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { backend: { type: 'string', default: 'webgpu' }, batches: { type: 'string', default: '256,1024' }, reps: { type: 'string', default: '5' } },
  });
  if (!isBackendName(values.backend!)) throw new Error(`--backend: unknown backend '${values.backend}'`);
  const active = await initBackend(values.backend!);
  try {
    for (const b of values.batches!.split(',').map(Number)) {
      const { ops, dispose } = opsFor(b);
      try {
        for (const [op, run] of ops) {
          const ms = await timeOp(run, Number(values.reps));
          console.log(JSON.stringify({ backend: active.name, batch: b, op, ms: Math.round(ms * 1000) / 1000 }));
        }
      } finally {
        dispose();
      }
    }
  } finally {
    releaseBackend();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`webgpu-kernel-times: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

/**
 * Dispatches and time per training step on the webgpu backend, with batchlab's WGSL kernels
 * (src/backend/webgpu-kernels/) and without them (the composed norm pairs, the optimizers' op
 * chains and tfjs's softmax cross-entropy), in one process.
 *
 * A step is what the training loop's runStep does at one micro-batch: gather the batch rows,
 * variableGrads of the mean softmax cross-entropy, the optimizer update, the running loss sum;
 * then a read-back of the loss (as the loop does every step). Models: the GPU benchmark's CNN
 * 16-32 + BN and the MLP 784-256-128-10, on random 28x28x1 inputs, plain SGD lr 0.01 (or
 * --optimizer adam / momentum).
 *
 * Per (model, kernels, batch): warm-up steps (shader compilation), one counted step (the
 * dispatch counter, src/backend/webgpu-dispatch-count.ts), then `reps` timed steps; prints one
 * JSON object {"model","kernels","batch","dispatches","ms_per_step" (median),"ms_all",
 * "by_program"}. With --profile, also one object per kernel of a tf.profile'd step
 * {"profile":model,"kernels","batch","kernel","calls","ms"} (ms: GPU time where the adapter has
 * timestamp queries, else 0).
 *
 * Usage: node bin/run-ts.mjs scripts/gpu/webgpu-step-profile.ts [--backend webgpu]
 *        [--models cnn,mlp] [--batches 32,256] [--reps 7] [--warmup 3] [--kernels off,on]
 *        [--optimizer sgd|momentum|adam] [--profile]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, isBackendName, releaseBackend } from '../../src/backend/index.ts';
import { countWebgpuDispatches } from '../../src/backend/webgpu-dispatch-count.ts';
import { registerWebgpuKernels, unregisterWebgpuKernels } from '../../src/backend/webgpu-kernels/index.ts';
import { validateSpec } from '../../src/config/validate.ts';
import { buildModel } from '../../src/models/index.ts';
import { createOptimizer } from '../../src/train/optimizers.ts';
import { reducedLoss } from '../../src/train/loss.ts';

const MODELS = {
  cnn: { name: 'cnn', channels: [16, 32], norm: 'batch', pooling: 'max', kernelSize: 3, dropout: 0 },
  mlp: { name: 'mlp', hidden: [256, 128], dropout: 0 },
} as const;

const OPTIMIZERS = {
  sgd: { name: 'sgd' },
  momentum: { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
  adam: { name: 'adam', weightDecay: 5e-4 },
} as const;

const CLASSES = 10;
const POOL = 1024;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      backend: { type: 'string', default: 'webgpu' },
      models: { type: 'string', default: 'cnn,mlp' },
      batches: { type: 'string', default: '32,256' },
      reps: { type: 'string', default: '7' },
      warmup: { type: 'string', default: '3' },
      kernels: { type: 'string', default: 'off,on' },
      optimizer: { type: 'string', default: 'sgd' },
      profile: { type: 'boolean', default: false },
    },
  });
  const list = (s: string) => s.split(',').filter((x) => x !== '');
  const models = list(values.models!);
  for (const m of models) if (!(m in MODELS)) throw new Error(`--models: unknown model '${m}' (cnn, mlp)`);
  const kernels = list(values.kernels!);
  for (const k of kernels) if (k !== 'on' && k !== 'off') throw new Error(`--kernels: expected on and/or off, got '${k}'`);
  if (!(values.optimizer! in OPTIMIZERS)) throw new Error(`--optimizer: unknown '${values.optimizer}' (sgd, momentum, adam)`);
  const batches = list(values.batches!).map(Number);
  if (batches.some((b) => !(Number.isInteger(b) && b > 0 && b <= POOL))) throw new Error(`--batches: integers in 1..${POOL}`);
  return {
    backend: values.backend!,
    models: models as (keyof typeof MODELS)[],
    batches,
    reps: Number(values.reps),
    warmup: Number(values.warmup),
    kernels: kernels as ('on' | 'off')[],
    optimizer: values.optimizer as keyof typeof OPTIMIZERS,
    profile: values.profile!,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function specOf(model: keyof typeof MODELS, optimizer: keyof typeof OPTIMIZERS) {
  const v = validateSpec({ model: MODELS[model], optimizer: OPTIMIZERS[optimizer], train: { steps: 1 } });
  if (!v.ok) throw new Error(v.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return v.spec;
}

/** A model, its optimizer and a step function that returns the read-back loss. */
function setup(model: keyof typeof MODELS, optimizer: keyof typeof OPTIMIZERS, batch: number) {
  const spec = specOf(model, optimizer);
  const net = buildModel(spec.model, [28, 28, 1], CLASSES, 1);
  const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = createOptimizer(spec.optimizer, vars);
  const trainX = tf.randomNormal([POOL, 28, 28, 1], 0, 1, 'float32', 3);
  const trainY = tf.tidy(() => tf.oneHot(tf.randomUniform([POOL], 0, CLASSES, 'int32', 4), CLASSES).toFloat());
  let seed = 1;
  const step = (): tf.Scalar => {
    const idx = tf.tensor1d(Int32Array.from({ length: batch }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % POOL), 'int32');
    const lr = tf.scalar(0.01);
    const loss = tf.tidy(() => {
      const x = tf.gather(trainX, idx);
      const y = tf.gather(trainY, idx);
      const { value, grads } = tf.variableGrads(() => reducedLoss('classification', 'mean', net.apply(x, { training: true }) as tf.Tensor, y), vars);
      opt.apply(vars.map((v) => grads[v.name]!), lr);
      return tf.add(tf.scalar(0), tf.mul(value, batch)) as tf.Scalar;
    });
    tf.dispose([idx, lr]);
    return loss;
  };
  const dispose = () => {
    opt.dispose();
    net.dispose();
    tf.dispose([trainX, trainY]);
  };
  return { step, dispose };
}

async function readLoss(loss: tf.Scalar): Promise<number> {
  const v = (await loss.data())[0]!;
  loss.dispose();
  return v;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (!isBackendName(args.backend)) throw new Error(`--backend: unknown backend '${args.backend}'`);
  const active = await initBackend(args.backend);
  try {
    for (const model of args.models) {
      for (const kernels of args.kernels) {
        if (kernels === 'on') registerWebgpuKernels();
        else unregisterWebgpuKernels();
        for (const batch of args.batches) {
          const { step, dispose } = setup(model, args.optimizer, batch);
          for (let i = 0; i < args.warmup; i++) await readLoss(step());
          const { value: counted, count } = await countWebgpuDispatches(() => step());
          await readLoss(counted);
          const ms: number[] = [];
          for (let i = 0; i < args.reps; i++) {
            const t0 = performance.now();
            await readLoss(step());
            ms.push(performance.now() - t0);
          }
          console.log(JSON.stringify({
            device: active.device, model, optimizer: args.optimizer, kernels, batch, dispatches: count.total,
            ms_per_step: Math.round(median(ms) * 10) / 10, ms_all: ms.map((v) => Math.round(v)),
            by_program: Object.fromEntries([...count.byProgram].sort((a, b) => b[1] - a[1])),
          }));
          if (args.profile) {
            let loss: tf.Scalar | undefined;
            const info = await tf.profile(() => {
              loss = step();
              return loss;
            });
            await readLoss(loss!);
            const byKernel = new Map<string, { calls: number; ms: number }>();
            for (const k of info.kernels) {
              const e = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
              e.calls += 1;
              e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
              byKernel.set(k.name, e);
            }
            for (const [kernel, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms || b[1].calls - a[1].calls)) {
              console.log(JSON.stringify({ profile: model, kernels, batch, kernel, calls: e.calls, ms: Math.round(e.ms * 100) / 100 }));
            }
          }
          dispose();
        }
      }
    }
  } finally {
    releaseBackend();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`webgpu-step-profile: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

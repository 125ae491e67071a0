/**
 * Training throughput of batchlab's loop (trainModel) on one backend, for the GPU-machine
 * benchmark (scripts/gpu/run-gpu-bench.sh). The model is the CNN the PyTorch peer
 * (torch_cuda_bench.py) mirrors: [conv3x3 (no bias) -> BN -> relu -> maxpool 2] x (16, 32)
 * -> global average pool -> dense 10, on mnist 28x28x1 (8,000 train digits), plain SGD.
 *
 * Per batch size: a warm-up run (on webgpu this compiles every shader), a pilot run that sizes
 * the timed runs, then `rounds` timed runs of about seconds/rounds each; the best is reported.
 * Time is the loop's trainMs: optimizer steps and the loss read-backs that wait for the device,
 * evaluations excluded. Prints one JSON object per batch size on stdout:
 *   {"backend","device","model","batch","samples_per_s","ms_per_step","steps","rounds":[...],"settings"?}
 * (`settings`: the backend's speed/safety settings, e.g. webgpu's Dawn toggles from BATCHLAB_WEBGPU).
 *
 * Usage: node bin/run-ts.mjs scripts/gpu/webgpu-bench.ts [--backend webgpu] [--batches 256,8]
 *        [--seconds 6] [--rounds 3] [--warmup 5]
 */
import { parseArgs } from 'node:util';
import { initBackend, isBackendName, releaseBackend } from '../../src/backend/index.ts';
import { validateSpec } from '../../src/config/validate.ts';
import type { RunConfig } from '../../src/config/schema.ts';
import { loadDataset } from '../../src/data/index.ts';
import { buildModel } from '../../src/models/index.ts';
import { disposeTrainEval, withTrainEval } from '../../src/runner/train-data.ts';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';

interface Args {
  backend: string;
  batches: number[];
  seconds: number;
  rounds: number;
  warmup: number;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      backend: { type: 'string', default: 'webgpu' },
      batches: { type: 'string', default: '256,8' },
      seconds: { type: 'string', default: '6' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '5' },
    },
  });
  const positive = (raw: string, flag: string) => {
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`${flag}: expected a positive number, got '${raw}'`);
    return n;
  };
  return {
    backend: values.backend!,
    batches: values.batches!.split(',').map((b) => Math.round(positive(b, '--batches'))),
    seconds: positive(values.seconds!, '--seconds'),
    rounds: Math.round(positive(values.rounds!, '--rounds')),
    warmup: Math.round(positive(values.warmup!, '--warmup')),
  };
}

/** The resolved run configuration of `steps` plain-SGD steps at `batchSize` on the CNN. */
function configFor(batchSize: number, steps: number): RunConfig {
  const v = validateSpec({
    backend: 'cpu',
    model: { name: 'cnn', channels: [16, 32], norm: 'batch', pooling: 'max', kernelSize: 3, dropout: 0 },
    optimizer: { name: 'sgd' },
    train: { steps, batchSize, lr: 0.01, evalEvery: 0, logEvery: 1000 },
  });
  if (!v.ok) throw new Error(`bench spec invalid: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return v.spec;
}

/** Milliseconds of training time for `steps` steps (evaluations excluded). */
async function timeSteps(model: Parameters<typeof trainModel>[0]['model'], data: TrainData, batch: number, steps: number): Promise<number> {
  const result = await trainModel({ model, data, config: configFor(batch, steps) });
  if (result.status !== 'completed') throw new Error(`training ${result.status}: ${result.reason ?? ''}`);
  return result.trainMs;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (!isBackendName(args.backend)) throw new Error(`--backend: unknown backend '${args.backend}'`);
  const active = await initBackend(args.backend);
  const dataset = await loadDataset({ name: 'mnist', trainSize: 8000, testSize: 64, seed: 0 });
  const data = withTrainEval(dataset);
  try {
    for (const batch of args.batches) {
      const cfg = configFor(batch, 1);
      const model = buildModel(cfg.model, dataset.inputShape, dataset.numOutputs, 1);
      await timeSteps(model, data, batch, args.warmup);
      const pilotSteps = 3;
      const pilotMs = await timeSteps(model, data, batch, pilotSteps);
      const steps = Math.max(3, Math.min(5000, Math.round((args.seconds * 1000) / args.rounds / Math.max(pilotMs / pilotSteps, 0.01))));
      const rounds: number[] = [];
      for (let r = 0; r < args.rounds; r++) rounds.push((batch * steps * 1000) / (await timeSteps(model, data, batch, steps)));
      model.dispose();
      const best = Math.max(...rounds);
      const row = {
        backend: active.name,
        device: active.device,
        model: 'cnn16-32-bn',
        batch,
        samples_per_s: Math.round(best * 10) / 10,
        ms_per_step: Math.round(((batch * 1000) / best) * 1000) / 1000,
        steps: steps * args.rounds,
        rounds: rounds.map((v) => Math.round(v * 10) / 10),
        ...(active.settings && { settings: active.settings }),
      };
      console.log(JSON.stringify(row));
    }
  } finally {
    disposeTrainEval(data);
    dataset.dispose();
    releaseBackend();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`webgpu-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

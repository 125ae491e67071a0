/**
 * One training step of batchlab's loop (trainModel: gather the batch, forward, gradients, SGD
 * update, loss read-back) on each named backend, for the CNN 16-32 + BN and the MLP 784-256-128-10
 * on mnist: the time per step, the GPU dispatches and queue submits per step (webgpu), and a
 * per-kernel table.
 *
 * - Step time: `--rounds` runs of `--timed-steps` steps each after a warm-up (which compiles every
 *   shader on webgpu); ms per step of each round, the median reported.
 * - Per-kernel table (webgpu only; the CPU backends give the reference step time): tf.profile of a run of 1 + `--steps` steps minus a run of 1 step, divided by
 *   `--steps`, with the evaluation sets emptied so the loop's start and end evaluations run no
 *   model kernels (what is left of them cancels in the difference). The loop's closing read-back
 *   of the pending losses grows with the steps, so its kernels show fractional calls per step. Rows are kernel x output shape (so
 *   conv1's and conv2's filter gradients are told apart). Times are GPU time from timestamp
 *   queries on webgpu where the adapter has 'timestamp-query'; elsewhere on webgpu the host time
 *   of recording each kernel (the GPU's time is then not in the table); on CPU backends the wall
 *   time tf.profile measures (a kernel that runs other kernels includes their time). Profiling
 *   submits every webgpu program on its own, so the table's total is not the step time.
 * - Dispatches and submits: counted (src/backend/webgpu-dispatch-counter.ts) over two unprofiled
 *   runs of the same lengths and differenced the same way, also per program class.
 *
 * Prints markdown; with --json FILE also writes the raw numbers. Other processes sharing the CPU
 * (and lavapipe, which runs on it) make the numbers noisy: compare medians of runs made together.
 *
 * `--backends` takes backend names and `webgpu-stock`: webgpu with tfjs-webgpu's own kernels in
 * place of batchlab's (src/backend/webgpu-kernels/), to measure both side by side.
 *
 * Usage: node bin/run-ts.mjs scripts/gpu/webgpu-step-profile.ts [--backends webgpu-stock,webgpu,native]
 *        [--models cnn,mlp] [--batch 256] [--steps 2] [--timed-steps 3] [--rounds 3] [--top 25] [--json out.json]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isBackendName, releaseBackend } from '../../src/backend/index.ts';
import type { BenchModel } from '../bench/setup.ts';
import { measureTarget, renderRatios, renderStepReport, type StepReport, type Target } from './step-profile.ts';

interface Args {
  backends: Target[];
  models: BenchModel[];
  batch: number;
  steps: number;
  timedSteps: number;
  rounds: number;
  top: number;
  json?: string;
}

const MODELS: readonly BenchModel[] = ['cnn', 'mlp'];

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      backends: { type: 'string', default: 'webgpu' },
      models: { type: 'string', default: 'cnn,mlp' },
      batch: { type: 'string', default: '256' },
      steps: { type: 'string', default: '2' },
      'timed-steps': { type: 'string', default: '3' },
      rounds: { type: 'string', default: '3' },
      top: { type: 'string', default: '25' },
      json: { type: 'string' },
    },
  });
  const positiveInt = (raw: string, flag: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got '${raw}'`);
    return n;
  };
  const backends = values.backends!.split(',').map((b): Target => {
    if (b !== 'webgpu-stock' && !isBackendName(b)) throw new Error(`--backends: unknown backend '${b}'`);
    return b;
  });
  const models = values.models!.split(',').map((m) => {
    if (!(MODELS as readonly string[]).includes(m)) throw new Error(`--models: expected some of ${MODELS.join(',')}, got '${m}'`);
    return m as BenchModel;
  });
  return {
    backends,
    models,
    batch: positiveInt(values.batch!, '--batch'),
    steps: positiveInt(values.steps!, '--steps'),
    timedSteps: positiveInt(values['timed-steps']!, '--timed-steps'),
    rounds: positiveInt(values.rounds!, '--rounds'),
    top: positiveInt(values.top!, '--top'),
    json: values.json,
  };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const reports: StepReport[] = [];
  for (const target of args.backends) {
    for (const model of args.models) {
      const report = await measureTarget(args, target, model);
      reports.push(report);
      console.log(renderStepReport(report, args.top));
    }
  }
  console.log(renderRatios(reports));
  if (args.json) await writeFile(args.json, `${JSON.stringify(reports, null, 2)}\n`);
  releaseBackend();
}

main().catch((err: unknown) => {
  process.stderr.write(`webgpu-step-profile: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

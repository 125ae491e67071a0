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
import * as tf from '@tensorflow/tfjs';
import { initBackend, isBackendName, releaseBackend, type BackendName } from '../../src/backend/index.ts';
import { startDispatchCounter, type DispatchCounts } from '../../src/backend/webgpu-dispatch-counter.ts';
import { registerWebgpuKernels, restoreStockWebgpuKernels } from '../../src/backend/webgpu-kernels/index.ts';
import { renderMarkdownTable } from '../../src/report/text-table.ts';
import { disposeTrainEval } from '../../src/runner/train-data.ts';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';
import { profileKernels } from '../bench/kernel-profile.ts';
import { buildBenchModel, loadBenchData, MODEL_LABELS, trainConfig, type BenchModel } from '../bench/setup.ts';

/** A backend, or webgpu with tfjs's own kernels in place of batchlab's (src/backend/webgpu-kernels/). */
type Target = BackendName | 'webgpu-stock';

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

type TimeSource = 'gpu-timestamp' | 'host-recording' | 'wall';

interface KernelRow {
  kernel: string;
  outShape: string;
  calls: number;
  ms: number;
}

interface StepReport {
  target: Target;
  backend: BackendName;
  device: string;
  model: BenchModel;
  batch: number;
  msPerStep: number;
  roundsMsPerStep: number[];
  timeSource: TimeSource;
  kernels: KernelRow[];
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
  dispatchesByProgram: Record<string, number> | null;
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

type Totals = Map<string, KernelRow>;

function addTo(totals: Totals, kernel: string, outShape: string, ms: number): void {
  const key = `${kernel} ${outShape}`;
  const row = totals.get(key) ?? { kernel, outShape, calls: 0, ms: 0 };
  row.calls += 1;
  row.ms += ms;
  totals.set(key, row);
}

/** (many - one) / steps per row, sorted by time; rows that did not run in the extra steps are dropped. */
function perStep(many: Totals, one: Totals, steps: number): KernelRow[] {
  const rows: KernelRow[] = [];
  for (const [key, m] of many) {
    const o = one.get(key);
    const calls = (m.calls - (o?.calls ?? 0)) / steps;
    if (calls > 0) rows.push({ ...m, calls, ms: (m.ms - (o?.ms ?? 0)) / steps });
  }
  return rows.sort((a, b) => b.ms - a.ms);
}

function timeSourceOf(backend: BackendName): TimeSource {
  if (backend !== 'webgpu') return 'wall';
  const b = tf.findBackend('webgpu') as unknown as { supportTimestampQuery?: boolean };
  return b.supportTimestampQuery ? 'gpu-timestamp' : 'host-recording';
}

/** Kernel rows of one run of `steps` steps, by tf.profile (or, for host-recording, by wrapping each kernel). */
async function profileRun(run: (steps: number) => Promise<unknown>, steps: number, source: TimeSource): Promise<Totals> {
  const totals: Totals = new Map();
  if (source === 'host-recording') {
    const costs = await profileKernels('webgpu', async () => { await run(steps); });
    // Host wrapping sees kernel names only, not output shapes.
    for (const c of costs.values()) totals.set(c.kernel, { kernel: c.kernel, outShape: '', calls: c.calls, ms: c.ms });
    return totals;
  }
  const info = await tf.profile(async () => { await run(steps); });
  for (const k of info.kernels) addTo(totals, k.name, JSON.stringify(k.outputShapes[0] ?? []), k.kernelTimeMs as number);
  return totals;
}

/** `data` with its evaluation sets emptied: the loop's evaluations then run no model kernels. */
function withoutEvaluation(data: TrainData): TrainData {
  const none = (t: tf.Tensor) => tf.slice(t, 0, 0);
  return { ...data, trainEvalX: none(data.trainEvalX), trainEvalY: none(data.trainEvalY), testX: none(data.testX), testY: none(data.testY) };
}

function disposeEvaluation(d: TrainData): void {
  tf.dispose([d.trainEvalX, d.trainEvalY, d.testX, d.testY]);
}

/** Dispatches and submits of one unprofiled run of `steps` steps (profiling submits every program on its own). */
async function countedRun(run: (steps: number) => Promise<unknown>, steps: number): Promise<DispatchCounts> {
  const counter = startDispatchCounter(tf.findBackend('webgpu'));
  try {
    await run(steps);
  } finally {
    counter.stop();
  }
  return counter.read();
}

async function measure(args: Args, target: Target, backend: BackendName, device: string, model: BenchModel, data: TrainData, tfModel: tf.LayersModel): Promise<StepReport> {
  const trainWith = (d: TrainData) => async (steps: number) => {
    const r = await trainModel({ model: tfModel, data: d, config: trainConfig(args.batch, steps) });
    if (r.status !== 'completed') throw new Error(`training ${r.status}: ${r.reason ?? ''}`);
    return r;
  };
  const run = trainWith(data);
  // Warm-up at every run length used below: compiles every shader on webgpu.
  await run(args.timedSteps);
  const roundsMsPerStep: number[] = [];
  for (let r = 0; r < args.rounds; r++) roundsMsPerStep.push((await run(args.timedSteps)).trainMs / args.timedSteps);

  const source = timeSourceOf(backend);
  if (backend !== 'webgpu') {
    // The CPU backends serve as the speed reference; their kernel table is the bench's job.
    return {
      target, backend, device, model, batch: args.batch, msPerStep: median(roundsMsPerStep), roundsMsPerStep,
      timeSource: source, kernels: [], dispatchesPerStep: null, submitsPerStep: null, dispatchesByProgram: null,
    };
  }
  const quiet = withoutEvaluation(data);
  try {
    const profileRunOf = trainWith(quiet);
    await profileRunOf(1 + args.steps);
    await profileRunOf(1);
    const mc = await countedRun(profileRunOf, 1 + args.steps);
    const oc = await countedRun(profileRunOf, 1);
    const many = await profileRun(profileRunOf, 1 + args.steps, source);
    const one = await profileRun(profileRunOf, 1, source);
    const byProgram: Record<string, number> = {};
    for (const [name, n] of mc.byProgram) {
      const d = (n - (oc.byProgram.get(name) ?? 0)) / args.steps;
      if (d > 0) byProgram[name] = d;
    }
    return {
      target, backend, device, model, batch: args.batch,
      msPerStep: median(roundsMsPerStep), roundsMsPerStep,
      timeSource: source,
      kernels: perStep(many, one, args.steps),
      dispatchesPerStep: (mc.dispatches - oc.dispatches) / args.steps,
      submitsPerStep: (mc.submits - oc.submits) / args.steps,
      dispatchesByProgram: byProgram,
    };
  } finally {
    disposeEvaluation(quiet);
  }
}

const SOURCE_LABEL: Record<TimeSource, string> = {
  'gpu-timestamp': 'GPU time from timestamp queries',
  'host-recording': 'host time of recording each kernel (adapter without timestamp-query: GPU time not shown)',
  wall: 'not profiled',
};

const fmt = (x: number, digits = 2) => x.toFixed(digits);

function render(r: StepReport, top: number): string {
  const head = `### ${r.target}: ${MODEL_LABELS[r.model]}, batch ${r.batch} (${r.device})`;
  const step = `step: ${fmt(r.msPerStep, 1)} ms (median of ${r.roundsMsPerStep.length} rounds: ${r.roundsMsPerStep.map((m) => fmt(m, 1)).join(', ')})`;
  if (r.backend !== 'webgpu') return `${head}\n\n${step}\n`;
  const total = r.kernels.reduce((s, k) => s + k.ms, 0);
  const shown = r.kernels.slice(0, top);
  const rest = r.kernels.slice(top);
  const rows = shown.map((k) => [k.kernel, k.outShape, fmt(k.calls, 1), fmt(k.ms), fmt((100 * k.ms) / (total || 1), 1)]);
  if (rest.length > 0) {
    const ms = rest.reduce((s, k) => s + k.ms, 0);
    rows.push([`(${rest.length} other rows)`, '', fmt(rest.reduce((s, k) => s + k.calls, 0), 1), fmt(ms), fmt((100 * ms) / (total || 1), 1)]);
  }
  rows.push(['total', '', fmt(r.kernels.reduce((s, k) => s + k.calls, 0), 1), fmt(total), '100.0']);
  return [
    head,
    '',
    `${step}; dispatches per step: ${fmt(r.dispatchesPerStep!, 1)}, queue submits per step: ${fmt(r.submitsPerStep!, 1)}`,
    `kernel times: ${SOURCE_LABEL[r.timeSource]}, per step`,
    ...(r.dispatchesByProgram ? ['', `dispatches per step by program: ${Object.entries(r.dispatchesByProgram)
      .sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${fmt(n, 1)}`).join(', ')}`] : []),
    '',
    renderMarkdownTable(['kernel', 'output shape', 'calls/step', 'ms/step', '%'], rows),
    '',
  ].join('\n');
}

function renderRatios(reports: StepReport[]): string {
  const lines: string[] = [];
  for (const gpu of reports.filter((r) => r.backend === 'webgpu')) {
    for (const other of reports.filter((r) => r.target !== gpu.target && r.model === gpu.model && (r.backend !== 'webgpu' || r.target === 'webgpu-stock'))) {
      lines.push(`- ${MODEL_LABELS[gpu.model]}, batch ${gpu.batch}: ${gpu.target} speed / ${other.target} speed = ` +
        `${fmt(other.msPerStep, 1)} / ${fmt(gpu.msPerStep, 1)} ms = ${fmt(other.msPerStep / gpu.msPerStep, 3)}x`);
    }
  }
  return lines.length > 0 ? `### Ratios (medians)\n\n${lines.join('\n')}\n` : '';
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const reports: StepReport[] = [];
  for (const target of args.backends) {
    const backend: BackendName = target === 'webgpu-stock' ? 'webgpu' : target;
    const active = await initBackend(backend);
    if (target === 'webgpu-stock') restoreStockWebgpuKernels();
    else if (backend === 'webgpu') registerWebgpuKernels();
    for (const model of args.models) {
      const { dataset, data } = await loadBenchData(model);
      const tfModel = buildBenchModel(model, dataset);
      try {
        const report = await measure(args, target, backend, active.device, model, data, tfModel);
        reports.push(report);
        console.log(render(report, args.top));
      } finally {
        tfModel.dispose();
        disposeTrainEval(data);
        dataset.dispose();
      }
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

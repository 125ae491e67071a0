/**
 * One training step of batchlab's loop on one backend (or on webgpu with tfjs's own kernels):
 * time per step, GPU dispatches and submits per step, per-kernel GPU time. Used by
 * scripts/gpu/webgpu-step-profile.ts (which documents the method) and by `npm run bench`'s
 * webgpu section.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/backend/index.ts';
import { startDispatchCounter, type DispatchCounts } from '../../src/backend/webgpu-dispatch-counter.ts';
import { registerWebgpuKernels, restoreStockWebgpuKernels } from '../../src/backend/webgpu-kernels/index.ts';
import { renderMarkdownTable } from '../../src/report/text-table.ts';
import { disposeTrainEval } from '../../src/runner/train-data.ts';
import { trainModel } from '../../src/train/loop.ts';
import type { TrainData } from '../../src/train/types.ts';
import { profileKernels } from '../bench/kernel-profile.ts';
import { buildBenchModel, loadBenchData, MODEL_LABELS, trainConfig, type BenchModel } from '../bench/setup.ts';

/** How long and how often to measure. */
export interface StepProfileOptions {
  batch: number;
  /** Extra steps of the profiled run (the table is (1 + steps) minus 1, divided by steps). */
  steps: number;
  timedSteps: number;
  rounds: number;
}

/** A backend, or webgpu with tfjs's own kernels in place of batchlab's (src/backend/webgpu-kernels/). */
export type Target = BackendName | 'webgpu-stock';


export type TimeSource = 'gpu-timestamp' | 'host-recording' | 'wall';

export interface KernelRow {
  kernel: string;
  outShape: string;
  calls: number;
  ms: number;
}

export interface StepReport {
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

async function measure(args: StepProfileOptions, target: Target, backend: BackendName, device: string, model: BenchModel, data: TrainData, tfModel: tf.LayersModel): Promise<StepReport> {
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

export function renderStepReport(r: StepReport, top: number): string {
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

export function renderRatios(reports: StepReport[]): string {
  const lines: string[] = [];
  for (const gpu of reports.filter((r) => r.backend === 'webgpu')) {
    for (const other of reports.filter((r) => r.target !== gpu.target && r.model === gpu.model && (r.backend !== 'webgpu' || r.target === 'webgpu-stock'))) {
      lines.push(`- ${MODEL_LABELS[gpu.model]}, batch ${gpu.batch}: ${gpu.target} speed / ${other.target} speed = ` +
        `${fmt(other.msPerStep, 1)} / ${fmt(gpu.msPerStep, 1)} ms = ${fmt(other.msPerStep / gpu.msPerStep, 3)}x`);
    }
  }
  return lines.length > 0 ? `### Ratios (medians)\n\n${lines.join('\n')}\n` : '';
}


/**
 * Measures `model` on `target`: starts its backend (with batchlab's webgpu kernels, or with
 * tfjs's own for 'webgpu-stock'), builds the model on mnist and measures one step.
 */
export async function measureTarget(opts: StepProfileOptions, target: Target, model: BenchModel): Promise<StepReport> {
  const backend: BackendName = target === 'webgpu-stock' ? 'webgpu' : target;
  const active = await initBackend(backend);
  if (target === 'webgpu-stock') restoreStockWebgpuKernels();
  else if (backend === 'webgpu') registerWebgpuKernels();
  const { dataset, data } = await loadBenchData(model);
  const tfModel = buildBenchModel(model, dataset);
  try {
    return await measure(opts, target, backend, active.device, model, data, tfModel);
  } finally {
    tfModel.dispose();
    disposeTrainEval(data);
    dataset.dispose();
    if (target === 'webgpu-stock') registerWebgpuKernels();
  }
}

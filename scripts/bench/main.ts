/**
 * `npm run bench`: batchlab's training speed beside tfjs model.fit and PyTorch on this machine.
 * Sections: throughput (samples/s per backend x model x batch), per-step overhead (tiny model,
 * batch 8), memory over a long run, sweep scaling with worker processes, and a per-kernel
 * profile of the wasm step, a soak (500 runs in one sweep, memory every 50), and a webgpu CNN step
 * beside the native backend (webgpu-step.ts; lavapipe where there is no GPU). Prints tables and PASS/FAIL per target; writes
 * results/bench/bench-<date>.csv (long format) and a markdown copy of the tables.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { version_wasm as wasmVersion } from '@tensorflow/tfjs-backend-wasm';
import { disposeTrainEval } from '../../src/runner/train-data.ts';
import { ArgsError, parseBenchArgs, USAGE, type BenchArgs } from './args.ts';
import { renderMarkdownTable, renderPlainTable } from '../../src/report/text-table.ts';
import { fmtFixed, ratio, renderCsv, type CsvRow } from './format.ts';
import { flatnessRule, sampleMemory, type MemoryResult } from './memory.ts';
import { profileLoopStep, type StepProfile } from './profile.ts';
import { buildBenchModel, loadBenchData, MODEL_LABELS, useBackend, type BenchBackend, type BenchModel } from './setup.ts';
import { runSoakProcess } from './soak-process.ts';
import { TOLERANCE as SOAK_TOLERANCE, type SoakResult } from './soak.ts';
import { runsOf, SWEEP_MODEL, timeSweep, type SweepGrid, type SweepMode, type SweepTiming } from './sweep-scaling.ts';
import { timeCell, type Budget, type Timing } from './throughput.ts';
import { probeTorch, runTorch, type TorchCell, type TorchResult } from './torch-peer.ts';
import { measureWholeRuns, PHASES, type WholeRunCell } from './whole-run.ts';
import { measureOptimizerSteps, OPTIMIZERS, type OptimizerStepCell } from './optimizer-step.ts';
import { probeBackend, releaseBackend } from '../../src/backend/index.ts';
import { conv1FilterGradStanding, measureWebgpuStep, WEBGPU_STEP_BATCH, type WebgpuStepResult } from './webgpu-step.ts';
import { setNativeThreads } from '../../src/backend/native/addon.ts';

interface Cell {
  backend: BenchBackend;
  /** The native backend's thread count for this cell. */
  threads?: number;
  model: BenchModel;
  batch: number;
  loop?: Timing;
  fit?: Timing;
  skipped?: string;
}

interface Target {
  name: string;
  value: number | null;
  goal: number;
  unit: string;
}

const csv: CsvRow[] = [];
const markdown: string[] = [];

function record(row: Omit<CsvRow, 'note'> & { note?: string }): void {
  csv.push({ note: '', ...row });
}

function show(title: string, header: string[], rows: string[][], note?: string): void {
  console.log(`\n== ${title}${note ? ` (${note})` : ''}\n${renderPlainTable(header, rows)}`);
  markdown.push(`### ${title}\n${note ? `\n${note}\n` : ''}\n${renderMarkdownTable(header, rows)}\n`);
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function budgetFor(args: BenchArgs, backend: BenchBackend, model: BenchModel): Budget {
  if (backend === 'cpu' && model === 'cnn') return { seconds: args.cpuCnnSeconds, rounds: 3, warmup: 1, pilot: 1, minSteps: 2, maxSteps: 10_000 };
  return { seconds: args.seconds, rounds: args.rounds, warmup: 3, pilot: 3, minSteps: 3, maxSteps: 10_000 };
}

async function withData<T>(model: BenchModel, f: (d: Awaited<ReturnType<typeof loadBenchData>>) => Promise<T>): Promise<T> {
  const d = await loadBenchData(model);
  try {
    return await f(d);
  } finally {
    disposeTrainEval(d.data);
    d.dataset.dispose();
  }
}

/** The backend's label in tables: native cells carry their thread count. */
function labelOf(backend: BenchBackend, threads?: number): string {
  return threads === undefined ? backend : `${backend} ${threads}thr`;
}

async function measureThroughput(args: BenchArgs): Promise<Cell[]> {
  const cells: Cell[] = [];
  const runs = args.backends.flatMap((backend): { backend: BenchBackend; threads?: number }[] =>
    backend === 'native' ? args.nativeThreads.map((threads) => ({ backend, threads })) : [{ backend, threads: undefined }]);
  for (const { backend, threads } of runs) {
    await useBackend(backend);
    if (threads !== undefined) setNativeThreads(threads);
    for (const model of args.models) {
      await withData(model, async ({ dataset, data }) => {
        for (const batch of args.batches) {
          const cell: Cell = { backend, model, batch, threads };
          cells.push(cell);
          if (backend === 'cpu' && model === 'cnn' && batch > args.cpuCnnMaxBatch) {
            cell.skipped = `cpu CNN capped at batch ${args.cpuCnnMaxBatch}`;
            continue;
          }
          log(`throughput ${labelOf(backend, threads)} ${model} b${batch} ...`);
          Object.assign(cell, await timeCell(model, dataset, data, batch, budgetFor(args, backend, model)));
        }
      });
    }
  }
  return cells;
}

async function measureOverhead(args: BenchArgs): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const backend of args.backends) {
    await useBackend(backend);
    log(`overhead ${backend} ...`);
    await withData('tiny', async ({ dataset, data }) => {
      cells.push({ backend, model: 'tiny', batch: 8, ...(await timeCell('tiny', dataset, data, 8, budgetFor(args, backend, 'tiny'))) });
    });
  }
  return cells;
}

async function measureMemory(args: BenchArgs): Promise<{ backend: BenchBackend; model: BenchModel; batch: number; result: MemoryResult }[]> {
  const out = [];
  for (const backend of (['wasm', 'native'] as const).filter((b) => args.backends.includes(b))) {
  await useBackend(backend);
  if (backend === 'native') setNativeThreads(1);
  for (const [model, batch] of [['mlp', 64], ['cnn', 16]] as const) {
    if (!args.models.includes(model)) continue;
    log(`memory ${backend} ${model} b${batch}, ${args.memorySteps} steps ...`);
    const result = await withData(model, async ({ dataset, data }) => {
      const m = buildBenchModel(model, dataset);
      try {
        return await sampleMemory(m, data, batch, args.memorySteps);
      } finally {
        m.dispose();
      }
    });
    out.push({ backend, model, batch, result });
  }
  }
  return out;
}

async function measureProfiles(args: BenchArgs): Promise<{ backend: BenchBackend; model: BenchModel; batch: number; profile: StepProfile }[]> {
  const out = [];
  for (const backend of (['wasm', 'native'] as const).filter((b) => args.backends.includes(b))) {
  await useBackend(backend);
  if (backend === 'native') setNativeThreads(1);
  for (const [model, batch] of [['cnn', 64], ['mlp', 1024]] as const) {
    if (!args.models.includes(model)) continue;
    log(`profile ${backend} ${model} b${batch} ...`);
    const profile = await withData(model, async ({ dataset, data }) => {
      const m = buildBenchModel(model, dataset);
      try {
        return await profileLoopStep(m, data, batch, args.quick ? 3 : 10);
      } finally {
        m.dispose();
      }
    });
    out.push({ backend, model, batch, profile });
  }
  }
  return out;
}

function torchCells(args: BenchArgs, wantThroughput: boolean, wantOverhead: boolean): TorchCell[] {
  const base = { seconds: args.seconds, rounds: args.rounds, warmup: 3, min_steps: 3, max_steps: 100_000 };
  const cells: TorchCell[] = [];
  if (wantThroughput) for (const model of args.models) for (const batch of args.batches) cells.push({ ...base, model, batch });
  if (wantOverhead) cells.push({ ...base, model: 'tiny', batch: 8 });
  return cells;
}

function torchOf(results: TorchResult[], model: BenchModel, batch: number): TorchResult | undefined {
  return results.find((r) => r.model === model && r.batch === batch);
}

function geomean(xs: number[]): number | null {
  return xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : null;
}

/** The wholerun table: seconds per phase, batchlab (native, 1 thread) above PyTorch (1 thread), and their wall-time ratio. */
function showWholeRuns(cells: WholeRunCell[]): void {
  const rows: string[][] = [];
  const s = (ms: number) => fmtFixed(ms / 1000, 2);
  for (const c of cells) {
    const sides = [['batchlab native', c.batchlab], ['torch', c.torch]] as const;
    for (const [who, side] of sides) {
      if (!side) continue;
      for (const phase of PHASES) {
        record({ section: 'wholerun', backend: who === 'torch' ? 'torch' : 'native 1thr', model: c.model, batch: c.batch, method: who, metric: `${phase.replace(' ', '_')}_s`, value: side.phases[phase] / 1000, unit: 's', note: `${c.steps} steps, evaluated at ${c.evalSteps.join('/')}` });
      }
      record({ section: 'wholerun', backend: who === 'torch' ? 'torch' : 'native 1thr', model: c.model, batch: c.batch, method: who, metric: 'wall_s', value: side.wallMs / 1000, unit: 's', note: `${c.steps} steps` });
      const vsTorch = who === 'torch' || !c.torch ? '' : fmtFixed(c.torch.wallMs / side.wallMs, 2);
      rows.push([MODEL_LABELS[c.model], String(c.batch), String(c.steps), c.evalSteps.join('/'), who, ...PHASES.map((p) => s(side.phases[p])), s(side.wallMs),
        fmtFixed((c.steps * c.batch) / (side.wallMs / 1000)), vsTorch]);
    }
  }
  show('Whole runs: seconds per phase, process start to exit',
    ['model', 'batch', 'steps', 'evaluated at', 'who', ...PHASES, 'wall', 'train ex/s of wall', 'vs torch'], rows,
    'one thread each (BATCHLAB_THREADS=1; torch.set_num_threads(1), OpenBLAS 1 thread); evaluations of 2,000 train-subset + 2,000 test digits; start-up = wall less the measured phases; "vs torch" = torch wall / batchlab wall (> 1: batchlab faster)');
}

/** The optimizer table: ms per training step per optimizer (native, 1 thread), and each over plain SGD's. */
function showOptimizerSteps(cells: OptimizerStepCell[], torch: TorchResult[]): void {
  const rows = cells.map((c) => {
    for (const o of OPTIMIZERS) {
      const note = `best of ${c.rounds} rounds of ${c.stepsPerRound[o]} steps`;
      record({ section: 'optimizer', backend: 'native 1thr', model: c.model, batch: c.batch, method: o.replaceAll(' ', '_'), metric: 'ms_per_step', value: c.msPerStep[o], unit: 'ms', note });
      record({ section: 'optimizer', backend: 'native 1thr', model: c.model, batch: c.batch, method: o.replaceAll(' ', '_'), metric: 'cpu_ms_per_step', value: c.cpuMsPerStep[o], unit: 'ms', note });
    }
    const t = torchOf(torch, c.model, c.batch);
    const torchMs = { wall: t?.ms_per_step, cpu: t?.cpu_ms_per_step };
    for (const clock of ['wall', 'cpu'] as const) {
      const value = torchMs[clock];
      if (value !== undefined) record({ section: 'optimizer', backend: 'torch 1thr', model: c.model, batch: c.batch, method: 'sgd', metric: clock === 'wall' ? 'ms_per_step' : 'cpu_ms_per_step', value, unit: 'ms' });
    }
    return (['wall', 'cpu'] as const).map((clock) => {
      const ms = clock === 'wall' ? c.msPerStep : c.cpuMsPerStep;
      const tm = torchMs[clock];
      return [MODEL_LABELS[c.model], String(c.batch), clock, ...OPTIMIZERS.map((o) => fmtFixed(ms[o], 2)), ...OPTIMIZERS.slice(1).map((o) => `${fmtFixed(ms[o] / ms.sgd, 2)}x`),
        tm === undefined ? '-' : fmtFixed(tm, 2), tm === undefined ? '-' : `${fmtFixed(tm / ms.sgd, 2)}x`];
    });
  }).flat();
  show('Optimizer step, ms/step (native, 1 thread)', ['model', 'batch', 'clock', ...OPTIMIZERS, ...OPTIMIZERS.slice(1).map((o) => `${o} / sgd`), 'torch sgd 1thr', 'torch / sgd'], rows,
    'the loop\'s whole training step (forward, backward, update), wall and process CPU time; best of alternating rounds; "adam op chain" unregisters the native Adam kernel for its rounds, "sgd composed loss" the native softmax cross-entropy pair');
}

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ArgsError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      if ((err as Error).message) console.error((err as Error).message);
      console.error(USAGE);
      return (err as Error).message ? 2 : 0;
    }
    throw err;
  }
  if (args.backends.includes('native')) {
    const probe = await probeBackend('native');
    if (!probe.usable) {
      console.log(`native backend skipped: ${probe.reason}${probe.hint ? ` (${probe.hint})` : ''}`);
      args.backends = args.backends.filter((b) => b !== 'native');
    }
  }
  const has = (s: BenchArgs['sections'][number]) => args.sections.includes(s);
  const started = new Date();
  const loadStart = loadavg()[0];
  const torch = args.torch ? await probeTorch() : { available: false, note: 'skipped (--no-torch)' };
  const machine = [
    `cpu: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores`,
    `node ${process.version}, tfjs ${tf.version.tfjs}, tfjs-backend-wasm ${wasmVersion}`,
    `torch: ${torch.note}${torch.available ? `, ${args.torchThreads} threads` : ''}`,
    `started ${started.toISOString()}, load average (1 min) ${loadStart.toFixed(2)}`,
  ];
  console.log(machine.join('\n'));
  if (!torch.available) console.log(`PyTorch peer skipped: ${torch.note}`);

  // Memory first: wasm's heap never shrinks, so after the batch-1024 cells RSS would say little.
  const memory = has('memory') ? await measureMemory(args) : [];
  const cells = has('throughput') ? await measureThroughput(args) : [];
  const overhead = has('overhead') ? await measureOverhead(args) : [];
  const profiles = has('profile') ? await measureProfiles(args) : [];
  let torchResults: TorchResult[] = [];
  // Single-threaded torch as well: tfjs runs on one thread, and two-thread torch suffers most
  // when other processes share the cores.
  let torch1: TorchResult[] = [];
  if (torch.available && (cells.length || overhead.length)) {
    log(`pytorch peer, ${args.torchThreads} threads ...`);
    const tcells = torchCells(args, cells.length > 0, overhead.length > 0);
    torchResults = await runTorch(tcells, args.torchThreads);
    if (args.torchThreads !== 1) {
      log('pytorch peer, 1 thread ...');
      torch1 = await runTorch(tcells, 1);
    }
  }
  const sweeps: SweepTiming[] = [];
  if (has('sweep')) {
    const grids: SweepGrid[] = args.quick ? ['short'] : ['short', 'long'];
    for (const grid of grids) {
      for (const mode of ['workers 1', 'workers 2', '2 shards'] as SweepMode[]) {
        log(`sweep, ${runsOf(grid)} runs, ${mode} ...`);
        sweeps.push(await timeSweep(grid, mode));
      }
    }
  }
  let webgpuStep: WebgpuStepResult | null = null;
  let soak: SoakResult | null = null;
  if (has('webgpu')) {
    log(`webgpu CNN+BN step at batch ${WEBGPU_STEP_BATCH}, beside native ...`);
    webgpuStep = await measureWebgpuStep(args.quick, args.rounds);
    releaseBackend();
  }
  if (has('soak')) {
    log(`soak, ${args.soakRuns} runs in one sweep ...`);
    soak = await runSoakProcess(args.soakRuns, Math.max(1, Math.round(args.soakRuns / 10)));
  }
  let wholeRuns: WholeRunCell[] = [];
  if (has('wholerun')) {
    if (!args.backends.includes('native')) log('wholerun skipped: it times the native backend (add native to --backends)');
    else wholeRuns = await measureWholeRuns(args.models, args.batches, torch.available, log);
  }
  let optimizerSteps: OptimizerStepCell[] = [];
  if (has('optimizer')) {
    if (!args.backends.includes('native')) log('optimizer skipped: it times the native backend (add native to --backends)');
    else optimizerSteps = await measureOptimizerSteps(args.models, args.batches, args.seconds, args.rounds, log);
  }
  // PyTorch's plain SGD step beside them, one thread, with its CPU time.
  const torchOptimizer = torch.available && optimizerSteps.length
    ? await runTorch(optimizerSteps.map((c) => ({ seconds: args.seconds, rounds: args.rounds, warmup: 3, min_steps: 3, max_steps: 100_000, model: c.model, batch: c.batch })), 1)
    : [];
  const sweepOf = (grid: SweepGrid, mode: SweepMode) => sweeps.find((t) => t.grid === grid && t.mode === mode);

  // Throughput table.
  if (cells.length) {
    const rows = cells.map((c) => {
      const t = torchOf(torchResults, c.model, c.batch);
      const t1 = torchOf(torch1, c.model, c.batch);
      if (c.skipped) return [labelOf(c.backend, c.threads), MODEL_LABELS[c.model], String(c.batch), 'skipped', '', t ? fmtFixed(t.samples_per_s) : '-', t1 ? fmtFixed(t1.samples_per_s) : '-', '', '', c.skipped];
      const lf = ratio(c.loop!.samplesPerS, c.fit!.samplesPerS);
      const lt = ratio(c.loop!.samplesPerS, t?.samples_per_s);
      for (const [method, tm] of [['loop', c.loop!], ['fit', c.fit!]] as const) {
        record({ section: 'throughput', backend: labelOf(c.backend, c.threads), model: c.model, batch: c.batch, method, metric: 'samples_per_s', value: tm.samplesPerS, unit: 'samples/s', note: `${tm.steps} timed steps` });
      }
      return [labelOf(c.backend, c.threads), MODEL_LABELS[c.model], String(c.batch), fmtFixed(c.loop!.samplesPerS), fmtFixed(c.fit!.samplesPerS), t ? fmtFixed(t.samples_per_s) : '-',
        t1 ? fmtFixed(t1.samples_per_s) : '-', fmtFixed(lf, 2), fmtFixed(lt, 3), `${c.loop!.steps}/${c.fit!.steps}`];
    });
    for (const [threads, list] of [[args.torchThreads, torchResults], [1, torch1]] as const) {
      for (const t of list.filter((r) => r.model !== 'tiny')) {
        record({ section: 'throughput', backend: 'torch', model: t.model, batch: t.batch, method: `torch_${threads}_threads`, metric: 'samples_per_s', value: t.samples_per_s, unit: 'samples/s', note: `${t.steps} timed steps` });
      }
    }
    show('Training throughput, samples/s (steady state)',
      ['backend', 'model', 'batch', 'loop', 'model.fit', `torch ${args.torchThreads}thr`, 'torch 1thr', 'loop/fit', 'loop/torch', 'steps loop/fit'], rows,
      `~${args.seconds} s timed per method and cell after warm-up, best of ${args.rounds} alternating rounds; cpu CNN ~${args.cpuCnnSeconds} s and batches <= ${args.cpuCnnMaxBatch}; torch on ${args.torchThreads} threads; cpu and wasm on 1 thread, native on the count shown`);
  }

  if (wholeRuns.length) showWholeRuns(wholeRuns);
  if (optimizerSteps.length) showOptimizerSteps(optimizerSteps, torchOptimizer);

  if (overhead.length) {
    const t = torchOf(torchResults, 'tiny', 8);
    const t1 = torchOf(torch1, 'tiny', 8);
    const rows = overhead.map((c) => [c.backend, fmtFixed(c.loop!.msPerStep, 3), fmtFixed(c.fit!.msPerStep, 3), t ? fmtFixed(t.ms_per_step, 3) : '-', t1 ? fmtFixed(t1.ms_per_step, 3) : '-']);
    for (const c of overhead) {
      record({ section: 'overhead', backend: c.backend, model: 'tiny', batch: 8, method: 'loop', metric: 'ms_per_step', value: c.loop!.msPerStep, unit: 'ms' });
      record({ section: 'overhead', backend: c.backend, model: 'tiny', batch: 8, method: 'fit', metric: 'ms_per_step', value: c.fit!.msPerStep, unit: 'ms' });
    }
    if (t) record({ section: 'overhead', backend: 'torch', model: 'tiny', batch: 8, method: `torch_${args.torchThreads}_threads`, metric: 'ms_per_step', value: t.ms_per_step, unit: 'ms' });
    if (t1) record({ section: 'overhead', backend: 'torch', model: 'tiny', batch: 8, method: 'torch_1_threads', metric: 'ms_per_step', value: t1.ms_per_step, unit: 'ms' });
    show('Per-step overhead, ms/step', ['backend', 'loop', 'model.fit', `torch ${args.torchThreads}thr`, 'torch 1thr'], rows, `${MODEL_LABELS.tiny} on blobs, batch 8`);
  }

  for (const { backend, model, batch, result } of memory) {
    const rows = result.samples.map((s) => [String(s.step), String(s.tensors), fmtFixed(s.tfMB, 1), fmtFixed(s.wasmMB, 1), s.liveHeapMB === null ? '-' : fmtFixed(s.liveHeapMB, 1), fmtFixed(s.rssMB, 1)]);
    for (const s of result.samples) {
      record({ section: 'memory', backend, model, batch, method: 'loop', metric: `tensors_at_step_${s.step}`, value: s.tensors, unit: 'tensors' });
      record({ section: 'memory', backend, model, batch, method: 'loop', metric: `rss_mb_at_step_${s.step}`, value: s.rssMB, unit: 'MB' });
      record({ section: 'memory', backend, model, batch, method: 'loop', metric: `wasm_heap_mb_at_step_${s.step}`, value: s.wasmMB, unit: 'MB' });
      if (s.liveHeapMB !== null) record({ section: 'memory', backend, model, batch, method: 'loop', metric: `js_heap_after_gc_mb_at_step_${s.step}`, value: s.liveHeapMB, unit: 'MB' });
    }
    show(`Memory, ${backend} ${MODEL_LABELS[model]} batch ${batch}`, ['step', 'tensors', 'tfjs MB', 'wasm heap MB', 'JS heap after GC, MB', 'RSS MB'], rows,
      `after the first sample: tensor growth ${result.tensorGrowth}, wasm heap growth ${fmtFixed(result.wasmGrowthMB, 1)} MB, post-GC JS heap drift ${result.liveHeapDriftMB === null ? '-' : `${fmtFixed(result.liveHeapDriftMB, 1)} MB`}, RSS drift ${fmtFixed(result.rssDriftMB, 1)} MB: ${result.flat ? 'flat' : 'NOT flat'}`);
  }

  for (const { backend, model, batch, profile } of profiles) {
    const top = profile.kernels.slice(0, 12);
    const rows = top.map((k) => [k.kernel, fmtFixed(k.ms, 3), fmtFixed(k.calls, 1), fmtFixed((100 * k.ms) / profile.stepMs, 1)]);
    rows.push(['(all kernels)', fmtFixed(profile.kernelMs, 3), fmtFixed(profile.kernels.reduce((s, k) => s + k.calls, 0), 0), fmtFixed((100 * profile.kernelMs) / profile.stepMs, 1)]);
    rows.push(['(outside kernels: JS, tape, dispatch)', fmtFixed(profile.stepMs - profile.kernelMs, 3), '', fmtFixed((100 * (profile.stepMs - profile.kernelMs)) / profile.stepMs, 1)]);
    for (const k of profile.kernels) {
      record({ section: 'profile', backend, model, batch, method: 'loop', metric: `kernel_ms_${k.kernel}`, value: k.ms, unit: 'ms/step', note: `${k.calls} calls/step` });
    }
    record({ section: 'profile', backend, model, batch, method: 'loop', metric: 'step_ms', value: profile.stepMs, unit: 'ms/step' });
    show(`Profile, ${backend}${backend === 'native' ? ' 1thr' : ''} ${MODEL_LABELS[model]} batch ${batch}: ${fmtFixed(profile.stepMs, 2)} ms/step (instrumented)`,
      ['kernel', 'ms/step', 'calls/step', '% of step'], rows, `self time per kernel over ${profile.steps} steps`);
  }

  if (sweeps.length) {
    const rows = sweeps.map((t) => {
      const base = sweepOf(t.grid, 'workers 1');
      return [String(runsOf(t.grid)), t.mode, fmtFixed(t.wallS, 1), fmtFixed(t.runsPerMin, 1), base ? `${fmtFixed(t.runsPerMin / base.runsPerMin, 2)}x` : '-', `${t.runsDone}/${runsOf(t.grid)}`];
    });
    for (const t of sweeps) {
      record({ section: 'sweep', backend: 'wasm', model: 'mlp', batch: '', method: `${runsOf(t.grid)}_runs_${t.mode.replace(' ', '_')}`, metric: 'runs_per_min', value: t.runsPerMin, unit: 'runs/min', note: `${fmtFixed(t.wallS, 1)} s wall` });
    }
    show('Sweep throughput (batchlab sweep, wasm)', ['runs', 'how', 'wall s', 'runs/min', 'vs workers 1', 'runs done'], rows,
      `${SWEEP_MODEL}; wall time from spawn to exit; "2 shards" = two independent --workers 1 --shard i/2 processes started together`);
  }

  if (soak) {
    const rows = soak.samples.map((s) => [String(s.runs), fmtFixed(s.rssMB, 1), String(s.tensors), fmtFixed(s.wasmMB, 1), s.liveHeapMB === null ? '-' : fmtFixed(s.liveHeapMB, 1)]);
    for (const s of soak.samples) {
      for (const [metric, value, unit] of [['rss_mb', s.rssMB, 'MB'], ['tensors', s.tensors, 'tensors'], ['wasm_heap_mb', s.wasmMB, 'MB'], ['js_heap_after_gc_mb', s.liveHeapMB, 'MB']] as const) {
        if (value !== null) record({ section: 'soak', backend: soak.backend, model: 'mlp', batch: '', method: 'sweep', metric: `${metric}_after_${s.runs}_runs`, value, unit });
      }
    }
    show(`Soak: ${soak.runs} runs in one sweep, ${soak.backend}, in-process (${fmtFixed(soak.wallS, 1)} s)`, ['runs', 'RSS MB', 'tensors', 'wasm heap MB', 'JS heap after GC MB'], rows,
      `MLP 8-16-3 on 64 blob examples, 1 epoch per run; judged from the first sample to the last: tensors and wasm heap flat, JS heap < ${SOAK_TOLERANCE.liveHeapMB} MB, RSS < ${SOAK_TOLERANCE.rssMB} MB growth`);
  }

  if (webgpuStep && 'skipped' in webgpuStep) console.log(`\nwebgpu section skipped: ${webgpuStep.skipped}`);
  if (webgpuStep && !('skipped' in webgpuStep)) {
    const { webgpu, native } = webgpuStep;
    const { conv1Ms, slowestOther } = conv1FilterGradStanding(webgpu);
    const rows = [
      [`webgpu (${webgpu.device})`, fmtFixed(webgpu.msPerStep, 1), fmtFixed(webgpu.dispatchesPerStep ?? 0, 1), conv1Ms === null ? '-' : fmtFixed(conv1Ms, 1),
        slowestOther ? `${slowestOther.kernel} ${slowestOther.outShape} ${fmtFixed(slowestOther.ms, 1)}` : '-'],
      [`native (${native.device})`, fmtFixed(native.msPerStep, 1), '', '', ''],
    ];
    record({ section: 'webgpu', backend: 'webgpu', model: 'cnn', batch: WEBGPU_STEP_BATCH, method: 'loop', metric: 'ms_per_step', value: webgpu.msPerStep, unit: 'ms', note: webgpu.device });
    record({ section: 'webgpu', backend: 'webgpu', model: 'cnn', batch: WEBGPU_STEP_BATCH, method: 'loop', metric: 'dispatches_per_step', value: webgpu.dispatchesPerStep ?? 0, unit: 'dispatches' });
    record({ section: 'webgpu', backend: 'native', model: 'cnn', batch: WEBGPU_STEP_BATCH, method: 'loop', metric: 'ms_per_step', value: native.msPerStep, unit: 'ms', note: native.device });
    for (const k of webgpu.kernels) {
      record({ section: 'webgpu', backend: 'webgpu', model: 'cnn', batch: WEBGPU_STEP_BATCH, method: 'loop', metric: `kernel_gpu_ms_${k.kernel}_${k.outShape}`, value: k.ms, unit: 'ms/step', note: `${k.calls} calls/step` });
    }
    show(`webgpu beside native, ${MODEL_LABELS.cnn} batch ${WEBGPU_STEP_BATCH}`, ['backend', 'ms/step (median)', 'GPU dispatches/step', 'conv1 filter grad, GPU ms', 'slowest other kernel, GPU ms'], rows,
      `${webgpu.roundsMsPerStep.length} rounds each; kernel times ${webgpu.timeSource}; both on this machine's cores when the adapter is software`);
  }

  // Targets.
  const targets: Target[] = [];
  const cellOf = (b: string, m: string, batch: number) => cells.find((c) => c.backend === b && c.model === m && c.batch === batch && c.loop);
  for (const backend of args.backends) {
    for (const model of args.models) {
      const rs = cells.filter((c) => c.backend === backend && c.model === model && c.loop && (c.threads ?? 1) === 1).map((c) => c.loop!.samplesPerS / c.fit!.samplesPerS);
      if (rs.length) targets.push({ name: `loop/fit ${labelOf(backend, backend === 'native' ? 1 : undefined)} ${model} (geomean over batches; min ${fmtFixed(Math.min(...rs), 2)})`, value: geomean(rs), goal: 1.0, unit: 'x' });
    }
  }
  const mlp1024 = cellOf('wasm', 'mlp', 1024);
  const cnn64 = cellOf('wasm', 'cnn', 64);
  // Against torch on as many threads as cores, and against torch's faster thread count (on 2
  // vCPUs two-thread OpenBLAS is erratic: from ~30k to ~120k samples/s for the MLP at 1024).
  const bestTorch = (model: BenchModel, batch: number) => {
    const speeds = [torchOf(torchResults, model, batch), torchOf(torch1, model, batch)].flatMap((t) => (t ? [t.samples_per_s] : []));
    return speeds.length ? Math.max(...speeds) : undefined;
  };
  if (mlp1024) {
    targets.push({ name: `wasm MLP loop/torch (${args.torchThreads} threads) at batch 1024`, value: ratio(mlp1024.loop!.samplesPerS, torchOf(torchResults, 'mlp', 1024)?.samples_per_s), goal: 0.3, unit: 'x' });
    targets.push({ name: 'wasm MLP loop/torch (its faster thread count) at batch 1024', value: ratio(mlp1024.loop!.samplesPerS, bestTorch('mlp', 1024)), goal: 0.3, unit: 'x' });
  }
  if (cnn64) {
    targets.push({ name: `wasm CNN+BN loop/torch (${args.torchThreads} threads) at batch 64`, value: ratio(cnn64.loop!.samplesPerS, torchOf(torchResults, 'cnn', 64)?.samples_per_s), goal: 0.15, unit: 'x' });
    targets.push({ name: 'wasm CNN+BN loop/torch (its faster thread count) at batch 64', value: ratio(cnn64.loop!.samplesPerS, bestTorch('cnn', 64)), goal: 0.15, unit: 'x' });
    targets.push({ name: 'wasm CNN+BN loop samples/s at batch 64', value: cnn64.loop!.samplesPerS, goal: 700, unit: 'samples/s' });
  }
  for (const grid of ['long', 'short'] as SweepGrid[]) {
    const one = sweepOf(grid, 'workers 1');
    const two = sweepOf(grid, 'workers 2');
    if (one && two) targets.push({ name: `sweep runs/min, workers 2 / workers 1, ${runsOf(grid)} runs`, value: two.runsPerMin / one.runsPerMin, goal: 1.7, unit: 'x' });
  }
  const native1 = (m: string, batch: number) => cells.find((c) => c.backend === 'native' && c.threads === 1 && c.model === m && c.batch === batch && c.loop);
  const nativeMlp = native1('mlp', 1024);
  const nativeCnn = native1('cnn', 64);
  if (nativeMlp) targets.push({ name: 'native 1thr MLP loop/torch 1 thread at batch 1024', value: ratio(nativeMlp.loop!.samplesPerS, torchOf(torch1.length ? torch1 : torchResults, 'mlp', 1024)?.samples_per_s), goal: 0.7, unit: 'x' });
  if (nativeCnn) targets.push({ name: 'native 1thr CNN+BN loop/torch 1 thread at batch 64', value: ratio(nativeCnn.loop!.samplesPerS, torchOf(torch1.length ? torch1 : torchResults, 'cnn', 64)?.samples_per_s), goal: 0.6, unit: 'x' });
  const adamCnn = optimizerSteps.find((c) => c.model === 'cnn' && c.batch === 64);
  if (adamCnn) {
    targets.push({ name: 'native 1thr CNN+BN batch 64: SGD step / Adam step, CPU time (Adam within 1.2x of plain SGD)', value: adamCnn.cpuMsPerStep.sgd / adamCnn.cpuMsPerStep.adam, goal: 0.83, unit: 'x' });
    targets.push({ name: 'native 1thr CNN+BN batch 64: SGD step / Adam step, wall time', value: adamCnn.msPerStep.sgd / adamCnn.msPerStep.adam, goal: 0.83, unit: 'x' });
  }
  for (const { backend, model, result } of memory) {
    targets.push({ name: `memory flat over ${args.memorySteps} steps, ${backend} ${model} (${flatnessRule(result)})`, value: result.flat ? 1 : 0, goal: 1, unit: '' });
  }
  if (soak) {
    const g = soak.growth;
    targets.push({ name: `soak memory flat over ${soak.runs} runs (tensors ${g.tensors}, wasm ${fmtFixed(g.wasmMB, 1)} MB, JS heap ${g.liveHeapMB === null ? 'n/a' : `${fmtFixed(g.liveHeapMB, 1)} MB`}, RSS ${fmtFixed(g.rssMB, 1)} MB${soak.failures.length ? `; ${soak.failures.join('; ')}` : ''})`, value: soak.failures.length ? 0 : 1, goal: 1, unit: '' });
  }
  if (webgpuStep && !('skipped' in webgpuStep)) {
    const { webgpu, native } = webgpuStep;
    const { conv1Ms, slowestOther } = conv1FilterGradStanding(webgpu);
    targets.push({ name: `webgpu CNN+BN step speed / native at batch ${WEBGPU_STEP_BATCH} (${webgpu.device})`, value: native.msPerStep / webgpu.msPerStep, goal: 0.15, unit: 'x' });
    targets.push({ name: 'webgpu CNN+BN: slowest other kernel / conv1 filter gradient (conv1\'s not the slowest)', value: conv1Ms && slowestOther ? slowestOther.ms / conv1Ms : null, goal: 1, unit: 'x' });
  }
  const trows = targets.map((t) => [t.name, t.value === null ? 'n/a' : `${fmtFixed(t.value, t.unit === 'x' ? 2 : 0)}${t.unit === 'x' ? 'x' : ''}`,
    `>= ${t.goal}${t.unit === 'x' ? 'x' : ''}`, t.value === null ? 'SKIP' : t.value >= t.goal ? 'PASS' : 'FAIL']);
  for (const t of targets) if (t.value !== null) record({ section: 'target', backend: '', model: '', batch: '', method: '', metric: t.name, value: t.value, unit: t.unit, note: t.value >= t.goal ? 'PASS' : 'FAIL' });
  if (trows.length) show('Targets', ['target', 'measured', 'goal', 'verdict'], trows);

  const loadEnd = loadavg()[0];
  const ended = `finished ${new Date().toISOString()}, load average (1 min) ${loadEnd.toFixed(2)} (start ${loadStart.toFixed(2)}, ${availableParallelism()} cores)`;
  console.log(`\n${ended}`);
  await mkdir(args.out, { recursive: true });
  const stamp = started.toISOString().slice(0, 16).replace(':', '');
  const csvPath = join(args.out, `bench-${stamp}.csv`);
  await writeFile(csvPath, renderCsv(csv));
  await writeFile(join(args.out, `bench-${stamp}.md`), [machine.join('  \n'), ended, '', ...markdown].join('\n'));
  console.log(`wrote ${csvPath} (and .md)`);
  return 0;
}

process.exitCode = await main();

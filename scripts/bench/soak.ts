/**
 * Soak: 500 short runs in ONE sweep, in this process (no worker processes, so what leaks is
 * measured here), with memory sampled every 50 finished runs: process RSS, live tensors
 * (tf.memory().numTensors), the wasm heap (on wasm) and the JavaScript heap after a full GC.
 *
 *   node --expose-gc bin/run-ts.mjs scripts/bench/soak.ts [--runs 500] [--every 50] [--backend wasm|cpu] [--json] [--keep]
 *
 * Tolerances, judged from the first sample (after 50 runs: data sets loaded, kernels compiled,
 * allocator warmed) to the last:
 *   - live tensors: exactly flat (every run disposes its model, optimizer and batches);
 *   - wasm heap: no growth (it never shrinks, so any growth is a leak that needed more room);
 *   - JavaScript heap after a full GC: growth under 8 MB (needs --expose-gc);
 *   - RSS: growth under 32 MB (V8 and the allocator keep freed pages, so RSS is noisier).
 * The sweep keeps every run's record in memory for summary.csv (a few KB each), so the JS heap
 * grows a little with the run count by design; measured: 1.6 MB over runs 50-500 on wasm.
 * Exits 1 when one is exceeded, 2 on bad flags. Writes its results folder to a temp dir and
 * removes it at the end (kept with --keep).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { environmentBackendOptions } from '../../src/backend/options.ts';
import { validateSpec } from '../../src/config/validate.ts';
import { planSweep } from '../../src/runner/plan.ts';
import { executeSweep } from '../../src/runner/sweep.ts';

export const TOLERANCE = { tensors: 0, wasmMB: 0, liveHeapMB: 8, rssMB: 32 } as const;

export interface SoakSample {
  runs: number;
  rssMB: number;
  tensors: number;
  /** 0 when not on wasm. */
  wasmMB: number;
  /** null without --expose-gc. */
  liveHeapMB: number | null;
}

export interface SoakResult {
  backend: string;
  runs: number;
  wallS: number;
  samples: SoakSample[];
  growth: { tensors: number; wasmMB: number; liveHeapMB: number | null; rssMB: number };
  failures: string[];
}

/** 3-class blobs, 64 training examples, MLP 8-16-3, one epoch: 2 or 4 steps per run. */
function soakSpec(backend: string, runs: number): unknown {
  const seeds = Math.ceil(runs / 4);
  return {
    name: 'soak',
    backend,
    data: { name: 'blobs', classes: 3, dim: 8, trainSize: 64, testSize: 32 },
    model: { name: 'mlp', hidden: [16] },
    optimizer: { name: 'sgd', momentum: 0.9 },
    train: { epochs: 1, logEvery: 2 },
    sweep: { batchSize: [16, 32], lr: [0.05, 0.1], seeds: Array.from({ length: seeds }, (_, i) => i + 1) },
  };
}

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 2 ** 20;

function wasmHeapMB(): number {
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? heap.length / MB : 0;
}

function sample(runs: number): SoakSample {
  gc?.();
  const u = process.memoryUsage();
  return { runs, rssMB: u.rss / MB, tensors: tf.memory().numTensors, wasmMB: wasmHeapMB(), liveHeapMB: gc ? u.heapUsed / MB : null };
}

/** Runs the soak sweep; `log` gets one line per sample. */
export async function runSoak(o: { runs: number; every: number; backend: string; keep?: boolean; log?: (line: string) => void }): Promise<SoakResult> {
  const checked = validateSpec(soakSpec(o.backend, o.runs));
  if (!checked.ok) throw new Error(`soak spec invalid: ${JSON.stringify(checked.issues)}`);
  const runs = planSweep(checked.spec).runs.slice(0, o.runs);
  const outDir = await mkdtemp(join(tmpdir(), 'batchlab-soak-'));
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  const controller = new AbortController();
  try {
    const outcome = await executeSweep({
      spec: checked.spec, runs, plannedIds: runs.map((r) => r.runId), outDir, workers: 1, force: false, signal: controller.signal, backendOptions: environmentBackendOptions(),
      onEvent: (e) => {
        if (e.type === 'warning') o.log?.(`warning: ${e.message}`);
        if (e.type !== 'run-end' || e.done % o.every !== 0) return;
        const s = sample(e.done);
        samples.push(s);
        o.log?.(`runs ${String(s.runs).padStart(4)}  rss ${s.rssMB.toFixed(1)} MB  tensors ${s.tensors}  wasm heap ${s.wasmMB.toFixed(1)} MB` +
          `  js heap after gc ${s.liveHeapMB === null ? 'n/a (no --expose-gc)' : `${s.liveHeapMB.toFixed(1)} MB`}`);
      },
    });
    const bad = outcome.records.filter((r) => r.status !== 'completed');
    const failures: string[] = [];
    if (outcome.records.length !== runs.length) failures.push(`${outcome.records.length} of ${runs.length} runs recorded`);
    if (bad.length) failures.push(`${bad.length} runs did not complete (first: ${bad[0]!.status} ${bad[0]!.error ?? bad[0]!.reason ?? ''})`);
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || !last || samples.length < 2) failures.push(`only ${samples.length} samples: need --runs at least twice --every`);
    const growth = {
      tensors: first && last ? Math.max(...samples.map((s) => s.tensors)) - first.tensors : 0,
      wasmMB: first && last ? last.wasmMB - first.wasmMB : 0,
      liveHeapMB: first?.liveHeapMB != null && last?.liveHeapMB != null ? last.liveHeapMB - first.liveHeapMB : null,
      rssMB: first && last ? last.rssMB - first.rssMB : 0,
    };
    if (first && Math.min(...samples.map((s) => s.tensors)) !== first.tensors) failures.push('live tensors changed between samples');
    if (growth.tensors > TOLERANCE.tensors) failures.push(`live tensors grew by ${growth.tensors} (tolerance: none)`);
    if (growth.wasmMB > TOLERANCE.wasmMB) failures.push(`wasm heap grew by ${growth.wasmMB.toFixed(1)} MB (tolerance: none)`);
    if (growth.liveHeapMB !== null && growth.liveHeapMB >= TOLERANCE.liveHeapMB) failures.push(`JS heap after GC grew by ${growth.liveHeapMB.toFixed(1)} MB (tolerance: under ${TOLERANCE.liveHeapMB} MB)`);
    if (growth.rssMB >= TOLERANCE.rssMB) failures.push(`RSS grew by ${growth.rssMB.toFixed(1)} MB (tolerance: under ${TOLERANCE.rssMB} MB)`);
    return { backend: tf.getBackend(), runs: outcome.records.length, wallS: (performance.now() - t0) / 1000, samples, growth, failures };
  } finally {
    if (!o.keep) await rm(outDir, { recursive: true, force: true });
    else o.log?.(`results kept in ${outDir}`);
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      strict: true,
      options: {
        runs: { type: 'string', default: '500' },
        every: { type: 'string', default: '50' },
        backend: { type: 'string', default: 'wasm' },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: node --expose-gc bin/run-ts.mjs scripts/bench/soak.ts [--runs 500] [--every 50] [--backend wasm|cpu] [--json] [--keep]`);
    return 2;
  }
  const runs = Number(values.runs);
  const every = Number(values.every);
  if (!Number.isInteger(runs) || runs < 2 || !Number.isInteger(every) || every < 1) {
    console.error(`--runs and --every: expected positive integers, got ${values.runs} and ${values.every}`);
    return 2;
  }
  if (values.backend !== 'wasm' && values.backend !== 'cpu') {
    console.error(`--backend: expected wasm or cpu, got ${values.backend}`);
    return 2;
  }
  const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);
  if (!gc) log('note: run with node --expose-gc to measure the JS heap after GC (it is not judged without it)');
  const r = await runSoak({ runs, every, backend: values.backend, keep: values.keep, log });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    const g = r.growth;
    log(`${r.runs} runs on ${r.backend} in ${r.wallS.toFixed(1)} s; growth from run ${r.samples[0]?.runs ?? '-'} to ${r.samples.at(-1)?.runs ?? '-'}: ` +
      `tensors ${g.tensors}, wasm heap ${g.wasmMB.toFixed(1)} MB, JS heap after gc ${g.liveHeapMB === null ? 'n/a' : `${g.liveHeapMB.toFixed(1)} MB`}, RSS ${g.rssMB.toFixed(1)} MB`);
    log(`tolerance: tensors flat, wasm heap flat, JS heap after gc < ${TOLERANCE.liveHeapMB} MB, RSS < ${TOLERANCE.rssMB} MB: ${r.failures.length ? `FAIL (${r.failures.join('; ')})` : 'PASS'}`);
  }
  return r.failures.length ? 1 : 0;
}

if (import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1] ?? '').href) {
  const code = await main();
  process.exitCode = code;
  setImmediate(() => process.exit(code)); // tfjs backends may hold handles open
}

/**
 * Runs a planned sweep into an output directory: skips finished runs, continues partial ones (from
 * their checkpoints, else from step 0), executes the rest on N executors, and rewrites summary.csv
 * after every run.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendChoice } from '../backend/index.ts';
import type { Spec } from '../config/schema.ts';
import { specHash } from '../core/run-id.ts';
import { writeJsonAtomic } from '../results/atomic-write.ts';
import { blankRecord, type RunRecord } from '../results/run-record.ts';
import { FINISHED, readRunRecord, runDirOf } from '../results/run-store.ts';
import { writeSummary } from '../results/summary.ts';
import type { StepProgress } from '../train/types.ts';
import { describeError, type PlannedRun } from './execute-run.ts';
import { sweepColumns } from './plan-sweep.ts';
import { startInProcess } from './executors.ts';
import { launchWorker, type Executor, type WorkerLaunch } from './worker-process.ts';

export type SweepEvent =
  | { type: 'start'; total: number; toRun: number; workers: number; why: string }
  | { type: 'run-start'; run: PlannedRun }
  | { type: 'progress'; runId: string; progress: StepProgress }
  | { type: 'run-end'; record: RunRecord; done: number; total: number }
  | { type: 'warning'; message: string };

export interface SweepOptions {
  spec: Spec;
  runs: PlannedRun[]; // this shard's runs, in plan order
  outDir: string;
  workers: number;
  force: boolean;
  /** Keep the checkpoints of finished runs (removed by default). */
  keepCheckpoints?: boolean;
  signal: AbortSignal;
  shard?: { index: number; count: number };
  onEvent?: (e: SweepEvent) => void;
  /** Worker processes already launched for this sweep (used first; extras are closed). */
  launches?: WorkerLaunch[];
}

export interface SweepOutcome {
  records: RunRecord[];
  skipped: number;
  failed: number;
  aborted: boolean;
}

export async function executeSweep(o: SweepOptions): Promise<SweepOutcome> {
  const emit = o.onEvent ?? (() => {});
  const axes = sweepColumns(o.spec);
  await mkdir(join(o.outDir, 'runs'), { recursive: true });

  const done = new Map<string, RunRecord>();
  if (!o.force) {
    for (const run of o.runs) {
      const rec = await readRunRecord(o.outDir, run.runId);
      if (rec && FINISHED.has(rec.status)) done.set(run.runId, rec);
    }
  }
  const todo = o.runs.filter((r) => !done.has(r.runId));
  const skipped = done.size;
  const summaryFile = join(o.outDir, 'summary.csv');
  const flushSummary = () =>
    writeSummary(summaryFile, o.runs.flatMap((r) => (done.has(r.runId) ? [done.get(r.runId)!] : [])), axes);

  const onProgress = (runId: string, progress: StepProgress) => emit({ type: 'progress', runId, progress });
  const count = todo.length === 0 ? 0 : Math.max(1, Math.min(o.workers, todo.length));
  const backend = o.spec.backend as BackendChoice;
  // This process is one of the executors: it would otherwise sit idle, and it saves one
  // worker's start (loading tsx, tfjs and the dataset) on sweeps of short runs. It starts
  // running as soon as its backend is up; each worker process joins when it is ready.
  const given = o.launches ?? [];
  const launches = [
    ...given.slice(0, Math.max(0, count - 1)),
    ...Array.from({ length: Math.max(0, count - 1 - given.length) }, () => launchWorker(backend)),
  ];
  await Promise.all(given.slice(launches.length).map((l) => l.close())); // launched but not needed
  launches.forEach((l) => l.setProgress(onProgress));
  const mainStart = count === 0 ? undefined : startInProcess(backend, o.signal, onProgress);
  mainStart?.catch(() => {}); // awaited below
  const executors: Executor[] = [];
  try {
    const main = await mainStart;
    if (main) executors.push(main);
    const sweepJson = join(o.outDir, 'sweep.json');
    // With nothing left to run no backend starts: keep the environment the runs were made in.
    const environment = main?.environment ?? (await readPreviousEnvironment(sweepJson));
    await writeJsonAtomic(sweepJson, {
      name: o.spec.name, spec: o.spec, specHash: specHash(o.spec), axes, shard: o.shard ?? null, runs: o.runs.length, environment,
    });
    emit({ type: 'start', total: o.runs.length, toRun: todo.length, workers: count, why: main?.why ?? 'nothing to run' });
    const abortAll = () => executors.forEach((e) => e.abort());
    o.signal.addEventListener('abort', abortAll, { once: true });

    let next = 0;
    let finished = skipped;
    let writing = Promise.resolve();
    const drive = async (ex: Executor) => {
      while (next < todo.length && !o.signal.aborted) {
        const run = todo[next++];
        emit({ type: 'run-start', run });
        let record: RunRecord;
        try {
          record = await ex.run(run, runDirOf(o.outDir, run.runId), { keepCheckpoints: o.keepCheckpoints });
        } catch (err) {
          record = failedRecord(run, err, ex.environment);
        }
        done.set(run.runId, record);
        const position = ++finished;
        writing = writing.then(flushSummary); // serialised: no torn or out-of-order rewrites
        await writing;
        emit({ type: 'run-end', record, done: position, total: o.runs.length });
      }
    };
    const joinWhenReady = async (launch: WorkerLaunch) => {
      let ex: Executor;
      try {
        ex = await launch.ready;
      } catch (err) {
        emit({ type: 'warning', message: `a worker process did not start (${describeError(err)}); the sweep goes on without it` });
        return;
      }
      executors.push(ex);
      await drive(ex);
    };
    await Promise.all([...(main ? [drive(main)] : []), ...launches.map(joinWhenReady)]);
    o.signal.removeEventListener('abort', abortAll);
    await flushSummary();
  } finally {
    const main = await mainStart?.catch(() => undefined);
    await Promise.all([main?.close(), ...launches.map((l) => l.close())]);
  }
  const records = o.runs.flatMap((r) => (done.has(r.runId) ? [done.get(r.runId)!] : []));
  return {
    records,
    skipped,
    failed: records.filter((r) => r.status === 'failed').length,
    aborted: o.signal.aborted || records.some((r) => r.status === 'aborted'),
  };
}

async function readPreviousEnvironment(file: string): Promise<Record<string, string>> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { environment?: Record<string, string> }).environment ?? {};
  } catch {
    return {};
  }
}

function failedRecord(run: PlannedRun, err: unknown, environment: Record<string, string>): RunRecord {
  return { ...blankRecord(run, 'failed', environment), error: describeError(err) };
}

/**
 * Runs a planned sweep into an output directory: skips finished runs, continues partial ones (from
 * their checkpoints, else from step 0), executes the rest on N executors, and rewrites summary.csv after every run. The output folder
 * is locked for the whole sweep (results/folder-lock.ts); a write the disk refuses (read-only
 * folder, full disk) stops the sweep and is thrown as an EnvironmentError naming the folder.
 */
import type { BackendChoice, BackendOptions } from '../backend/index.ts';
import type { RunConfig, Spec } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';
import { specHash } from '../core/run-id.ts';
import { FINISHED, makeRunsDir, readRunRecord, readSweepJson, runDirOf, writeSummary, writeSweepJson } from '../results/layout.ts';
import { errorFromData, RefusedWriteError, refusedWriteCode, toErrorData } from '../errors.ts';
import { withFolderLock } from '../results/folder-lock.ts';
import { blankRecord, type RunRecord } from '../results/run-record.ts';
import type { StepProgress } from '../train/types.ts';
import { describeError } from './execute-run.ts';
import { sweepColumns } from './plan.ts';
import { startInProcess } from './executors.ts';
import { launchWorker, type Executor, type WorkerLaunch } from './worker-process.ts';

export type SweepEvent =
  | { type: 'start'; total: number; toRun: number; workers: number; why: string }
  | { type: 'run-start'; run: PlannedRun<RunConfig> }
  | { type: 'progress'; runId: string; progress: StepProgress }
  | { type: 'run-end'; record: RunRecord; done: number; total: number }
  | { type: 'warning'; message: string };

export interface SweepOptions {
  spec: Spec;
  runs: PlannedRun<RunConfig>[]; // this shard's runs, in plan order
  /** The id of every run of the sweep (all shards), in plan order: recorded in sweep.json for merge. */
  plannedIds: readonly string[];
  outDir: string;
  /** Where outDir came from, for messages: `--out` (the default) or `name`. */
  outFlag?: string;
  workers: number;
  force: boolean;
  /** Keep the checkpoints of finished runs (removed by default). */
  keepCheckpoints?: boolean;
  signal: AbortSignal;
  shard?: { index: number; count: number };
  onEvent?: (e: SweepEvent) => void;
  /** Backend settings for this process and every worker (threads per process, GEMM, fused SGD, webgpu). */
  backendOptions: BackendOptions;
  /** Worker processes already launched for this sweep (used first; extras are closed). */
  launches?: WorkerLaunch[];
  /** A bundled build's worker script for the workers launched here (worker-process.ts WORKER_ENTRY_ENV). */
  workerEntry?: string;
  /** The output folder lock's stale time in ms (folder-lock.ts; default 30 s). */
  lockStaleMs?: number;
}

export interface SweepOutcome {
  records: RunRecord[];
  skipped: number;
  failed: number;
  aborted: boolean;
}

export async function executeSweep(o: SweepOptions): Promise<SweepOutcome> {
  const emit = o.onEvent ?? (() => {});
  return withFolderLock(o.outDir, {
    flag: o.outFlag ?? '--out',
    staleMs: o.lockStaleMs,
    command: `sweep ${o.spec.name}${o.shard ? ` --shard ${o.shard.index}/${o.shard.count}` : ''}`,
    onLost: (err) => emit({ type: 'warning', message: `the lock on ${o.outDir} was lost (${err.message}); another process may now write there` }),
  }, () => sweepLocked(o, emit));
}

async function sweepLocked(o: SweepOptions, emit: (e: SweepEvent) => void): Promise<SweepOutcome> {
  const axes = sweepColumns(o.spec);
  await makeRunsDir(o.outDir);

  const done = new Map<string, RunRecord>();
  if (!o.force) {
    for (const run of o.runs) {
      const rec = await readRunRecord(o.outDir, run.runId);
      if (rec && FINISHED.has(rec.status)) done.set(run.runId, rec);
    }
  }
  const todo = o.runs.filter((r) => !done.has(r.runId));
  const skipped = done.size;
  const flushSummary = () =>
    writeSummary(o.outDir, o.runs.flatMap((r) => (done.has(r.runId) ? [done.get(r.runId)!] : [])), axes);

  const onProgress = (runId: string, progress: StepProgress) => emit({ type: 'progress', runId, progress });
  const count = todo.length === 0 ? 0 : Math.max(1, Math.min(o.workers, todo.length));
  const backend = o.spec.backend as BackendChoice;
  // This process is one of the executors: it would otherwise sit idle, and it saves one
  // worker's start (loading tsx, tfjs and the dataset) on sweeps of short runs. It starts
  // running as soon as its backend is up; each worker process joins when it is ready.
  const given = o.launches ?? [];
  const launches = [
    ...given.slice(0, Math.max(0, count - 1)),
    ...Array.from({ length: Math.max(0, count - 1 - given.length) }, () => launchWorker(backend, o.backendOptions, o.workerEntry)),
  ];
  await Promise.all(given.slice(launches.length).map((l) => l.close())); // launched but not needed
  launches.forEach((l) => l.setProgress(onProgress));
  const mainStart = count === 0 ? undefined : startInProcess(backend, o.backendOptions, o.signal, onProgress);
  mainStart?.catch(() => {}); // awaited below
  const executors: Executor[] = [];
  try {
    const main = await mainStart;
    if (main) executors.push(main);
    // With nothing left to run no backend starts: keep the environment the runs were made in.
    const environment = main?.environment ?? (await readPreviousEnvironment(o.outDir));
    await writeSweepJson(o.outDir, {
      name: o.spec.name, spec: o.spec, specHash: specHash(o.spec), axes, shard: o.shard ?? null, runs: o.runs.length, environment,
      runIds: o.plannedIds,
    });
    emit({ type: 'start', total: o.runs.length, toRun: todo.length, workers: count, why: main?.why ?? 'nothing to run' });
    const abortAll = () => executors.forEach((e) => e.abort());
    o.signal.addEventListener('abort', abortAll, { once: true });

    let next = 0;
    let finished = skipped;
    let writing = Promise.resolve();
    // The first write the disk refused: no run can be recorded after it, so no new run starts;
    // runs already started finish (their own writes fail too) and it is thrown at the end.
    let refused: unknown;
    const drive = async (ex: Executor) => {
      while (next < todo.length && !o.signal.aborted && refused === undefined) {
        const run = todo[next++];
        emit({ type: 'run-start', run });
        let record: RunRecord;
        try {
          record = await ex.run(run, runDirOf(o.outDir, run.runId), { keepCheckpoints: o.keepCheckpoints });
        } catch (err) {
          if (refusedWriteCode(err)) {
            refused ??= err;
            break;
          }
          record = failedRecord(run, err, ex.environment);
        }
        const failure = record.failure && errorFromData(record.failure);
        if (failure instanceof RefusedWriteError) {
          refused ??= failure; // its curve could not be written: not a result, and redone on resume
          break;
        }
        done.set(run.runId, record);
        const position = ++finished;
        writing = writing.then(flushSummary); // serialised: no torn or out-of-order rewrites
        try {
          await writing;
        } catch (err) {
          if (!refusedWriteCode(err)) throw err;
          refused ??= err;
          writing = Promise.resolve();
          break;
        }
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
    if (refused !== undefined) throw refused;
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

async function readPreviousEnvironment(outDir: string): Promise<Record<string, string>> {
  try {
    const { raw } = await readSweepJson(outDir);
    return (raw as { environment?: Record<string, string> } | null)?.environment ?? {};
  } catch {
    return {};
  }
}

function failedRecord(run: PlannedRun<RunConfig>, err: unknown, environment: Record<string, string>): RunRecord {
  return { ...blankRecord(run, 'failed', environment), error: describeError(err), failure: toErrorData(err) };
}

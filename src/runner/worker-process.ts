/**
 * Sweep worker processes. A worker is launched as early as the sweep knows its backend (before
 * this process loads tfjs), so its start-up overlaps this process's own; the scheduler binds
 * its progress callback when the worker joins. Light on purpose: only node:child_process (and errors.ts).
 * A worker's error arrives as ErrorData and is thrown here rebuilt as its typed family.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendOptions } from '../backend/options.ts';
import { EnvironmentError, errorFromData, InternalError } from '../errors.ts';
import type { RunRecord } from '../results/run-record.ts';
import type { StepProgress } from '../train/types.ts';
import type { RunConfig } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

export interface Executor {
  environment: Record<string, string>;
  why: string;
  run(run: PlannedRun<RunConfig>, runDir: string, opts?: RunOptions): Promise<RunRecord>;
  abort(): void;
  close(): Promise<void>;
}

/** Per-run choices of the sweep that are not part of the run's config. */
export interface RunOptions {
  keepCheckpoints?: boolean;
}

export type OnProgress = (runId: string, p: StepProgress) => void;

export interface WorkerLaunch {
  /** The worker once its backend is up; rejects when it cannot start. */
  ready: Promise<Executor>;
  /** Where the worker's per-run progress goes (nowhere until set). */
  setProgress(onProgress: OnProgress): void;
  /** Stops the worker whether or not it became ready. */
  close(): Promise<void>;
}

/**
 * Set by a bundled build (scripts/gpu/prepare-bundle.sh) to its worker.mjs, which runs without
 * tsx; the CLI reads it and passes it to launchWorker.
 */
export const WORKER_ENTRY_ENV = 'BATCHLAB_WORKER_ENTRY';

/** The worker's script and the Node flags it needs: the bundle's worker when given, else worker.ts through tsx. */
function workerEntry(bundled: string | undefined): { file: string; execArgv: string[] } {
  if (bundled) return { file: bundled, execArgv: [] };
  return { file: fileURLToPath(new URL('./worker.ts', import.meta.url)), execArgv: [`--import=${import.meta.resolve('tsx')}`] };
}

/**
 * Forks a worker and asks it to initialise `backend` with `options` at once. `bundledEntry`: a
 * bundled build's worker script (WORKER_ENTRY_ENV); without it the worker is worker.ts through tsx.
 */
export function launchWorker(backend: string, options: BackendOptions, bundledEntry?: string): WorkerLaunch {
  const { file, execArgv } = workerEntry(bundledEntry);
  const child: ChildProcess = fork(file, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onProgress: OnProgress = () => {};
  let waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  let exited = false;
  child.on('message', (m: FromWorker) => {
    if (m.type === 'progress') onProgress(m.runId, m.progress);
    else waiting?.resolve(m);
  });
  child.on('exit', (code, sig) => {
    exited = true;
    waiting?.reject(new EnvironmentError(`worker process exited (${sig ?? `code ${code}`})`));
  });
  const request = (msg: ToWorker) =>
    new Promise<FromWorker>((resolve, reject) => {
      if (exited) return reject(new EnvironmentError('worker process is gone'));
      waiting = { resolve: (m) => { waiting = null; resolve(m); }, reject: (e) => { waiting = null; reject(e); } };
      child.send(msg);
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      if (child.connected) child.disconnect();
      else child.kill();
    });
  const ready = (async (): Promise<Executor> => {
    const reply = await request({ type: 'init', backend, options });
    if (reply.type !== 'ready') {
      child.kill();
      throw reply.type === 'fatal' ? errorFromData(reply.error) : new InternalError(`worker answered ${reply.type} to init`);
    }
    return {
      environment: reply.environment,
      why: `${reply.backend}: ${reply.why}`,
      async run(run, runDir, opts = {}) {
        const done = await request({ type: 'run', run, runDir, ...opts });
        if (done.type === 'done') return done.record;
        throw done.type === 'fatal' ? errorFromData(done.error) : new InternalError(`unexpected worker reply ${done.type}`);
      },
      abort: () => {
        if (!exited) child.send({ type: 'abort' } satisfies ToWorker);
      },
      close,
    };
  })();
  ready.catch(() => {}); // awaited by the scheduler; a failed start is reported there
  return { ready, setProgress: (fn) => { onProgress = fn; }, close };
}

/**
 * Where runs execute: in this process (one at a time) or in forked worker processes (one run each
 * at a time). Both present the same interface to the scheduler.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeEnvironment, initBackend, type BackendChoice } from '../backend/index.ts';
import type { RunRecord } from '../results/run-record.ts';
import type { StepProgress } from '../train/types.ts';
import { DatasetCache } from './dataset-cache.ts';
import { executeRun, type PlannedRun } from './execute-run.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

export interface Executor {
  environment: Record<string, string>;
  why: string;
  run(run: PlannedRun, runDir: string): Promise<RunRecord>;
  abort(): void;
  close(): Promise<void>;
}

type OnProgress = (runId: string, p: StepProgress) => void;

export async function startInProcess(backend: BackendChoice, signal: AbortSignal, onProgress: OnProgress): Promise<Executor> {
  const active = await initBackend(backend);
  const environment = describeEnvironment(active);
  const datasets = new DatasetCache();
  return {
    environment,
    why: `${active.name}: ${active.why}`,
    run: (run, runDir) => executeRun(run, runDir, { datasets, environment, signal, onProgress }),
    abort: () => {},
    close: () => datasets.dispose(),
  };
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export async function startWorker(backend: BackendChoice, onProgress: OnProgress): Promise<Executor> {
  const child: ChildProcess = fork(WORKER, [], { execArgv: [`--import=${TSX}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  let exited = false;
  child.on('message', (m: FromWorker) => {
    if (m.type === 'progress') onProgress(m.runId, m.progress);
    else waiting?.resolve(m);
  });
  child.on('exit', (code, sig) => {
    exited = true;
    waiting?.reject(new Error(`worker process exited (${sig ?? `code ${code}`})`));
  });
  const request = (msg: ToWorker) =>
    new Promise<FromWorker>((resolve, reject) => {
      if (exited) return reject(new Error('worker process is gone'));
      waiting = { resolve: (m) => { waiting = null; resolve(m); }, reject: (e) => { waiting = null; reject(e); } };
      child.send(msg);
    });
  const ready = await request({ type: 'init', backend });
  if (ready.type !== 'ready') {
    child.kill();
    throw new Error(ready.type === 'fatal' ? ready.error : 'worker did not start');
  }
  return {
    environment: ready.environment,
    why: `${ready.backend}: ${ready.why}`,
    async run(run, runDir) {
      const reply = await request({ type: 'run', run, runDir });
      if (reply.type === 'done') return reply.record;
      throw new Error(reply.type === 'fatal' ? reply.error : `unexpected worker reply ${reply.type}`);
    },
    abort: () => {
      if (!exited) child.send({ type: 'abort' } satisfies ToWorker);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

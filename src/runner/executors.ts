/**
 * The executor in this process: runs one at a time on this process's backend, sharing loaded
 * datasets between runs. Worker processes (worker-process.ts) present the same interface.
 */
import { describeEnvironment, initBackend, type BackendChoice, type BackendOptions } from '../backend/index.ts';
import { DatasetCache } from './dataset-cache.ts';
import { executeRun } from './execute-run.ts';
import type { Executor, OnProgress } from './worker-process.ts';

export async function startInProcess(
  backend: BackendChoice, options: BackendOptions, signal: AbortSignal, onProgress: OnProgress,
): Promise<Executor> {
  const active = await initBackend(backend, options);
  const environment = describeEnvironment(active);
  const datasets = new DatasetCache();
  return {
    environment,
    why: `${active.name}: ${active.why}`,
    run: (run, runDir, opts = {}) => executeRun(run, runDir, { datasets, environment, signal, onProgress, ...opts }),
    abort: () => {},
    close: () => datasets.dispose(),
  };
}


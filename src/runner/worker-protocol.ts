/** Messages between the sweep scheduler and its worker processes; errors travel as ErrorData. */
import type { BackendOptions } from '../backend/options.ts';
import type { ErrorData } from '../errors.ts';
import type { RunRecord } from '../results/run-record.ts';
import type { StepProgress } from '../train/types.ts';
import type { RunConfig } from '../config/schema.ts';
import type { PlannedRun } from '../core/grid.ts';

export type ToWorker =
  | { type: 'init'; backend: string; options: BackendOptions }
  | { type: 'run'; run: PlannedRun<RunConfig>; runDir: string; keepCheckpoints?: boolean }
  | { type: 'abort' };

export type FromWorker =
  | { type: 'ready'; environment: Record<string, string>; backend: string; why: string }
  | { type: 'progress'; runId: string; progress: StepProgress }
  | { type: 'done'; record: RunRecord }
  | { type: 'fatal'; error: ErrorData };

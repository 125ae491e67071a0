/** The record of one run, as stored in run.json and flattened into a summary.csv row. */
import type { RunConfig } from '../config/schema.ts';
import type { ErrorData } from '../errors.ts';
import type { PlannedRun, RunMeta } from '../core/grid.ts';
import type { FinalMetrics, RunStatus } from '../train/types.ts';
import { batchNormSettings, type BatchNormSettings } from '../models/batch-norm-settings.ts';

/** A run's RunMeta as run.json stores it: B/B0 keeps the key `k` it has always been written under. */
export type StoredRunMeta = Omit<RunMeta, 'batchRatio'> & { k: number };

function storedMeta({ batchSize, baseLr, lr, scalingRule, batchRatio, capped, seed, axes }: RunMeta): StoredRunMeta {
  return { batchSize, baseLr, lr, scalingRule, k: batchRatio, capped, seed, axes };
}

export interface RunRecord {
  run_id: string;
  status: RunStatus;
  reason?: string;
  /** A failed run's error as people read it: `name: message (path: issue; ...)`. */
  error?: string;
  /** The same error as data (its family, exit code, issues), rebuilt typed by errorFromData. */
  failure?: ErrorData;
  config: RunConfig;
  /** The BatchNorm momentum and epsilon the model used (defaults filled in); only for norm 'batch'. */
  batchNorm?: BatchNormSettings;
  meta: StoredRunMeta;
  final: FinalMetrics & { steps: number; epochs: number; examples_seen: number };
  timings: { wall_s: number; train_s: number; samples_per_s: number; started_at: string };
  environment: Record<string, string>;
}

/** A record with no metrics yet: the start of every run, and what a run that never trained reports. */
export function blankRecord(
  run: PlannedRun<RunConfig>, status: RunStatus, environment: Record<string, string>,
): RunRecord {
  return {
    run_id: run.runId,
    status,
    config: run.config,
    // A user model's BatchNorm layers keep their own momentum and epsilon unless the spec sets them, so only the built-ins' are known here.
    ...(run.config.model.norm === 'batch' && !('path' in run.config.model) ? { batchNorm: batchNormSettings(run.config.model) } : {}),
    meta: storedMeta(run.meta),
    final: { train_loss: null, train_acc: null, test_loss: null, test_acc: null, best_test_acc: null, steps: 0, epochs: 0, examples_seen: 0 },
    timings: { wall_s: 0, train_s: 0, samples_per_s: 0, started_at: new Date().toISOString() },
    environment,
  };
}

/** The record of one run, as stored in run.json and flattened into a summary.csv row. */
import type { RunConfig } from '../config/schema.ts';
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
  error?: string;
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
    ...(run.config.model.norm === 'batch' ? { batchNorm: batchNormSettings(run.config.model) } : {}),
    meta: storedMeta(run.meta),
    final: { train_loss: null, train_acc: null, test_loss: null, test_acc: null, best_test_acc: null, steps: 0, epochs: 0, examples_seen: 0 },
    timings: { wall_s: 0, train_s: 0, samples_per_s: 0, started_at: new Date().toISOString() },
    environment,
  };
}

const gap = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** One summary.csv row: the fixed columns, then each axis by its dotted path. */
export function summaryRow(r: RunRecord): Record<string, string | number | null> {
  return {
    run_id: r.run_id,
    status: r.status,
    batch_size: r.meta.batchSize,
    base_lr: r.meta.baseLr,
    lr: r.meta.lr,
    scaling_rule: r.meta.scalingRule,
    seed: r.meta.seed,
    steps: r.final.steps,
    epochs: r.final.epochs,
    examples_seen: r.final.examples_seen,
    final_train_loss: r.final.train_loss,
    final_train_acc: r.final.train_acc,
    final_test_loss: r.final.test_loss,
    final_test_acc: r.final.test_acc,
    gen_gap_loss: gap(r.final.test_loss, r.final.train_loss),
    gen_gap_acc: gap(r.final.train_acc, r.final.test_acc),
    best_test_acc: r.final.best_test_acc,
    wall_s: r.timings.wall_s,
    samples_per_s: r.timings.samples_per_s,
    backend: r.environment.backend ?? '',
    precise_bn_train_acc: r.final.precise_bn_train_acc ?? null,
    precise_bn_test_loss: r.final.precise_bn_test_loss ?? null,
    precise_bn_test_acc: r.final.precise_bn_test_acc ?? null,
    ...Object.fromEntries(Object.entries(r.meta.axes).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : (v as string | number)])),
  };
}

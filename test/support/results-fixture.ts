/**
 * Builds results folders for tests with batchlab's own writers (results/layout.ts), so a
 * fixture has exactly the files, columns and quoting a real sweep writes.
 */
import { mkdir } from 'node:fs/promises';
import type { RunConfig } from '../../src/config/schema.ts';
import { makeRunsDir, runDirOf, writeRunRecord, writeSummary, writeSweepJson, type SweepFile } from '../../src/results/layout.ts';
import { openCurveWriter } from '../../src/results/curve-files.ts';
import type { RunRecord, StoredRunMeta as RunMeta } from '../../src/results/run-record.ts';
import type { CurveRow, FinalMetrics, RunStatus } from '../../src/train/types.ts';

/** One run of a fixture: what the summary row needs; everything else has a plain default. */
export interface FixtureRun {
  runId: string;
  status?: RunStatus;
  meta: Partial<RunMeta> & Pick<RunMeta, 'batchSize'>;
  final?: Partial<RunRecord['final']> & Partial<FinalMetrics>;
  timings?: Partial<RunRecord['timings']>;
  environment?: Record<string, string>;
  /** curve.csv rows; missing columns are empty. No curve.csv when absent. */
  curve?: (Partial<CurveRow> & Pick<CurveRow, 'step'>)[];
  /** Whether to write runs/<id>/run.json (default true). */
  runJson?: boolean;
}

/** A complete run record from a fixture run (the config is a stand-in: no reader of a fixture uses it). */
export function fixtureRecord(run: FixtureRun): RunRecord {
  return {
    run_id: run.runId,
    status: run.status ?? 'completed',
    config: {} as RunConfig,
    meta: { baseLr: 0.05, lr: 0.05, scalingRule: 'none', k: 1, seed: 1, axes: {}, ...run.meta, capped: run.meta.capped ?? false },
    final: {
      train_loss: null, train_acc: null, test_loss: null, test_acc: null, best_test_acc: null, steps: 0, epochs: 0, examples_seen: 0,
      ...run.final,
    },
    timings: { wall_s: 0, train_s: 0, samples_per_s: 0, started_at: '2025-01-01T00:00:00.000Z', ...run.timings },
    environment: run.environment ?? { backend: 'cpu' },
  };
}

const CURVE_BLANK: Omit<CurveRow, 'step'> = {
  epoch: 0, examples_seen: 0, batch_size: 0, lr: 0, train_loss: null, train_eval_loss: null, train_eval_acc: null,
  test_loss: null, test_acc: null, wall_ms: 0,
};

/**
 * Writes a results folder at `dir` (created if need be): sweep.json, runs/<id>/run.json
 * and curve.csv, and summary.csv with the design columns `axes`, runs in the given order.
 */
export async function writeResultsFixture(
  dir: string, sweep: SweepFile & { axes: string[] }, runs: readonly FixtureRun[],
): Promise<RunRecord[]> {
  await mkdir(dir, { recursive: true });
  await makeRunsDir(dir);
  const records = runs.map(fixtureRecord);
  for (const [i, run] of runs.entries()) {
    const runDir = runDirOf(dir, run.runId);
    await mkdir(runDir, { recursive: true });
    if (run.runJson ?? true) await writeRunRecord(runDir, records[i]!);
    if (run.curve) {
      const writer = await openCurveWriter(runDir);
      for (const row of run.curve) await writer.onRow?.({ ...CURVE_BLANK, ...row });
      await writer.flush();
    }
  }
  await writeSummary(dir, records, sweep.axes);
  await writeSweepJson(dir, sweep);
  return records;
}

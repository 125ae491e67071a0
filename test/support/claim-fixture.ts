/**
 * A small synthetic results folder for the verify tests: BatchNorm vs GroupNorm at batch
 * 2 and 32, five paired seeds, known test errors (BN's error climbs at batch 2, GN's does
 * not), a curve per run, and a claim (C2) in sweep.json's spec.
 */
import { writeResultsFixture, type FixtureRun } from './results-fixture.ts';

/** Test error by norm, batch size and seed (1..5). */
export const FIXTURE_ERRORS: Record<string, Record<number, number[]>> = {
  batch: { 2: [0.35, 0.33, 0.37, 0.34, 0.36], 32: [0.24, 0.23, 0.245, 0.235, 0.25] },
  group: { 2: [0.24, 0.245, 0.238, 0.242, 0.236], 32: [0.241, 0.243, 0.24, 0.239, 0.244] },
};

export const FIXTURE_CLAIM = {
  id: 'C2',
  statement: "BatchNorm's error climbs at very small batches while GroupNorm's stays flat.",
  metric: 'final_test_error',
  test: {
    kind: 'interaction',
    a1: { 'model.norm': 'batch', batch_size: 2 }, a2: { 'model.norm': 'batch', batch_size: 32 },
    b1: { 'model.norm': 'group', batch_size: 2 }, b2: { 'model.norm': 'group', batch_size: 32 },
    labels: { a1: 'BN(2)', a2: 'BN(32)', b1: 'GN(2)', b2: 'GN(32)' },
  },
  expect: { above: 0 },
};

/** Writes summary.csv, sweep.json (with `claim` unless null) and runs/<id>/ under `dir`. */
export async function writeClaimFixture(dir: string, claim: unknown = FIXTURE_CLAIM, environment?: (runIndex: number) => Record<string, string>): Promise<void> {
  const runs: FixtureRun[] = [];
  for (const [norm, byBatch] of Object.entries(FIXTURE_ERRORS)) {
    for (const [b, errors] of Object.entries(byBatch)) {
      for (const [i, err] of errors.entries()) {
        const batchSize = Number(b);
        const steps = 4000 / batchSize;
        const acc = 1 - err;
        runs.push({
          runId: `${norm}-${b}-${i + 1}`,
          meta: { batchSize, baseLr: 0.05, lr: (0.05 * batchSize) / 32, scalingRule: 'linear', seed: i + 1, axes: { 'model.norm': norm } },
          final: { steps, epochs: 1, examples_seen: 4000, train_loss: 0.5, train_acc: acc + 0.01, test_loss: 0.6, test_acc: acc, best_test_acc: acc },
          timings: { wall_s: 10, samples_per_s: 400 },
          ...(environment ? { environment: environment(runs.length) } : {}),
          // accuracy rises linearly to its final value; reaches 0.7 at a known step
          curve: [0, 1, 2, 3, 4].map((k) => ({
            step: (k * steps) / 4, epoch: k / 4, examples_seen: k * 1000, batch_size: batchSize, lr: 0.05,
            train_loss: 1, test_loss: 1, test_acc: (acc * k) / 4, wall_ms: k * 100,
          })),
        });
      }
    }
  }
  const spec = { name: 'norm-fixture', sweep: { batchSize: [2, 32] }, ...(claim === null ? {} : { claim }) };
  await writeResultsFixture(dir, { name: 'norm-fixture', spec, axes: ['model.norm'], environment: {} }, runs);
}

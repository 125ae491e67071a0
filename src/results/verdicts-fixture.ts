/**
 * A small synthetic results directory for the verify tests: BatchNorm vs GroupNorm at batch
 * 2 and 32, five paired seeds, known test errors (BN's error climbs at batch 2, GN's does
 * not), a curve per run, and a claim (C2) in sweep.json's spec.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CURVE_COLUMNS, REQUIRED_SUMMARY_COLUMNS as SUMMARY_COLUMNS } from './columns.ts';

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

/** Writes summary.csv, sweep.json (with `claim` unless null) and runs/<id>/curve.csv under `dir`. */
export async function writeClaimFixture(dir: string, claim: unknown = FIXTURE_CLAIM): Promise<void> {
  const rows: string[][] = [];
  for (const [norm, byBatch] of Object.entries(FIXTURE_ERRORS)) {
    for (const [b, errors] of Object.entries(byBatch)) {
      for (const [i, err] of errors.entries()) {
        const id = `${norm}-${b}-${i + 1}`;
        const steps = 4000 / Number(b);
        const acc = 1 - err;
        const v: Record<string, string | number> = {
          run_id: id, status: 'completed', batch_size: b, base_lr: 0.05, lr: (0.05 * Number(b)) / 32, scaling_rule: 'linear',
          seed: i + 1, steps, epochs: 1, examples_seen: 4000, final_train_loss: 0.5, final_train_acc: acc + 0.01,
          final_test_loss: 0.6, final_test_acc: acc, gen_gap_loss: 0.1, gen_gap_acc: 0.01, best_test_acc: acc,
          wall_s: 10, samples_per_s: 400, backend: 'cpu', 'model.norm': norm,
        };
        rows.push([...SUMMARY_COLUMNS, 'model.norm'].map((c) => String(v[c])));
        // accuracy rises linearly to its final value; reaches 0.7 at a known step
        const curve = [0, 1, 2, 3, 4].map((k) => {
          const row: Record<string, number | string> = { step: (k * steps) / 4, epoch: k / 4, examples_seen: k * 1000, batch_size: b, lr: 0.05,
            train_loss: 1, train_eval_loss: '', train_eval_acc: '', test_loss: 1, test_acc: (acc * k) / 4, wall_ms: k * 100 };
          return CURVE_COLUMNS.map((c) => String(row[c]));
        });
        await mkdir(join(dir, 'runs', id), { recursive: true });
        await writeFile(join(dir, 'runs', id, 'curve.csv'), [CURVE_COLUMNS.join(','), ...curve.map((r) => r.join(','))].join('\n') + '\n');
      }
    }
  }
  await writeFile(join(dir, 'summary.csv'), [[...SUMMARY_COLUMNS, 'model.norm'].join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  const spec = { name: 'norm-fixture', sweep: { batchSize: [2, 32] }, ...(claim === null ? {} : { claim }) };
  await writeFile(join(dir, 'sweep.json'), JSON.stringify({ name: 'norm-fixture', spec, axes: ['model.norm'], environment: {} }, null, 2));
}

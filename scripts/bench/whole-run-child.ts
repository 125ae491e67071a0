/**
 * One whole batchlab run in this process, for the wholerun section of `npm run bench`
 * (whole-run.ts spawns it): backend start, data, model, training with its evaluations, and the
 * run's files (run.json at the start and end, curve.csv as it goes) in a temporary directory.
 * Prints one JSON line: the time of each phase in ms (start-up is what the parent's wall time
 * leaves over), the steps at which rows were evaluated, and the final test accuracy.
 * Usage: node bin/run-ts.mjs scripts/bench/whole-run-child.ts '<json {model, batch, steps, backend}>'
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice } from '../../src/backend/index.ts';
import { loadDataset } from '../../src/data/index.ts';
import { buildModel } from '../../src/models/index.ts';
import { writeRunRecord } from '../../src/results/layout.ts';
import { openCurveWriter } from '../../src/results/curve-files.ts';
import { blankRecord } from '../../src/results/run-record.ts';
import { disposeTrainEval, withTrainEval } from '../../src/runner/train-data.ts';
import { logEveryOf } from '../../src/train/eval-schedule.ts';
import { trainModel } from '../../src/train/loop.ts';
import type { CurveRow } from '../../src/train/types.ts';
import { MODEL_SPECS, resolve, type BenchModel } from './setup.ts';
import { WHOLE_RUN_DATA, WHOLE_RUN_LR, type WholeRunPhases } from './whole-run.ts';

export interface WholeRunSpec {
  model: BenchModel;
  batch: number;
  steps: number;
  backend: BackendChoice;
}


async function main(): Promise<void> {
  const atMain = performance.now();
  const spec = JSON.parse(process.argv[2] ?? '{}') as WholeRunSpec;
  const config = resolve({
    backend: spec.backend, model: MODEL_SPECS[spec.model], data: WHOLE_RUN_DATA, optimizer: { name: 'sgd' },
    train: { steps: spec.steps, batchSize: spec.batch, lr: WHOLE_RUN_LR, seed: 1 },
  });
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  await initBackend(spec.backend);
  const backendMs = lap();
  const dataset = await loadDataset(config.data);
  const data = withTrainEval(dataset);
  const dataMs = lap();
  const model = buildModel(config.model, dataset.inputShape, dataset.numOutputs, config.train.seed);
  const buildMs = lap();
  const dir = await mkdtemp(join(tmpdir(), 'batchlab-wholerun-'));
  const run = { runId: 'wholerun', config, meta: {} } as unknown as Parameters<typeof blankRecord>[0];
  const record = blankRecord(run, 'aborted', {});
  await writeRunRecord(dir, { ...record, status: 'running' });
  const curve = await openCurveWriter(dir);
  let writeMs = lap();
  const evalSteps: number[] = [];
  const seen = { onRow: (row: CurveRow) => { if (row.test_loss !== null) evalSteps.push(row.step); } };
  const result = await trainModel({ model, data, config, observers: [curve, seen] });
  lap();
  await curve.flush();
  record.status = result.status;
  record.final = { ...result.final, steps: result.steps, epochs: result.epochs, examples_seen: result.examplesSeen };
  await writeRunRecord(dir, record);
  writeMs += lap() + (result.wallMs - result.trainMs - result.evalMs);
  model.dispose();
  disposeTrainEval(data);
  dataset.dispose();
  await rm(dir, { recursive: true, force: true });
  const first = result.firstStepsMs ?? result.trainMs;
  const phases: WholeRunPhases = {
    backend_ms: backendMs, data_ms: dataMs, build_ms: buildMs, first_steps_ms: first, steady_steps_ms: result.trainMs - first,
    eval_ms: result.evalMs, write_ms: writeMs, at_main_ms: atMain, eval_steps: evalSteps,
    log_every: logEveryOf(config.train, data.trainX.shape[0]), eval_batch: config.train.evalBatchSize, test_acc: result.final.test_acc,
  };
  if (tf.memory().numTensors > 0) process.stderr.write(`note: ${tf.memory().numTensors} tensors left at exit\n`);
  console.log(JSON.stringify(phases));
}

await main();

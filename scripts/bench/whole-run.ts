/**
 * The wholerun section of `npm run bench`: one whole run per model and batch, from process start
 * to exit, broken into phases, beside PyTorch doing the same run (same data, steps, evaluation
 * steps, evaluation chunk and curve rows; one thread on both sides). Each cell runs batchlab
 * (whole-run-child.ts) and then PyTorch (scripts/torch/whole_run_torch.py) in fresh processes, so
 * the two see nearly the same load; start-up is each side's wall time less its measured phases
 * (process start, imports, backend start, exit).
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { BenchModel } from './setup.ts';
import { PYTHON } from './torch-peer.ts';
import { spawnCollect } from './spawn-collect.ts';

const TORCH_SCRIPT = fileURLToPath(new URL('../torch/whole_run_torch.py', import.meta.url));

/** The run's data: mnist, 8,000 train digits, a 2,000-digit test set (and a 2,000-digit train subset evaluated beside it). */
export const WHOLE_RUN_DATA = { name: 'mnist', trainSize: 8000, testSize: 2000, seed: 0 } as const;
export const WHOLE_RUN_LR = 0.01;

/** What whole-run-child.ts prints: ms per phase and the run's evaluation steps. */
export interface WholeRunPhases {
  backend_ms: number;
  data_ms: number;
  build_ms: number;
  first_steps_ms: number;
  steady_steps_ms: number;
  eval_ms: number;
  write_ms: number;
  /** ms from process start to the first line of this script (Node, the TypeScript loader, imports). */
  at_main_ms: number;
  eval_steps: number[];
  log_every: number;
  eval_batch: number;
  test_acc: number | null;
}

export const PHASES = ['start-up', 'data', 'build', 'first steps', 'steady steps', 'evaluation', 'writing'] as const;
export type Phase = (typeof PHASES)[number];

export interface WholeRunSide {
  wallMs: number;
  phases: Record<Phase, number>;
  testAcc: number | null;
}

export interface WholeRunCell {
  model: BenchModel;
  batch: number;
  steps: number;
  evalSteps: number[];
  batchlab: WholeRunSide;
  torch: WholeRunSide | null;
}

/** Steps of a whole run at `batch`: 150 (the short runs), or 2 epochs of 8,000 digits at batch 1024 and over. */
export function wholeRunSteps(batch: number): number {
  return batch >= 1024 ? 2 * Math.floor(WHOLE_RUN_DATA.trainSize / batch) : 150;
}

async function spawnTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ wallMs: number; stdout: string }> {
  const { code, stdout, stderr, wallMs } = await spawnCollect(cmd, args, env);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { wallMs, stdout };
}

function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}

/** The phases, start-up being the wall time the measured ones leave over. */
function side(wallMs: number, measured: Omit<Record<Phase, number>, 'start-up'>, testAcc: number | null): WholeRunSide {
  const sum = Object.values(measured).reduce((a, b) => a + b, 0);
  return { wallMs, phases: { 'start-up': wallMs - sum, ...measured }, testAcc };
}

async function runBatchlab(model: BenchModel, batch: number, steps: number): Promise<{ side: WholeRunSide; child: WholeRunPhases }> {
  const env = { ...process.env, BATCHLAB_THREADS: '1' };
  const { wallMs, stdout } = await spawnTimed(process.execPath, ['bin/run-ts.mjs', 'scripts/bench/whole-run-child.ts', JSON.stringify({ model, batch, steps, backend: 'native' })], env);
  const p = lastJson<WholeRunPhases>(stdout);
  return {
    child: p,
    side: side(wallMs, {
      data: p.data_ms, build: p.build_ms, 'first steps': p.first_steps_ms, 'steady steps': p.steady_steps_ms, evaluation: p.eval_ms, writing: p.write_ms,
    }, p.test_acc),
  };
}

async function runTorchWhole(model: BenchModel, batch: number, steps: number, child: WholeRunPhases): Promise<WholeRunSide> {
  const digitsDir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const spec = {
    model, batch, steps, eval_steps: child.eval_steps, log_every: child.log_every, eval_batch: child.eval_batch, lr: WHOLE_RUN_LR,
    threads: 1, train_size: WHOLE_RUN_DATA.trainSize, test_size: WHOLE_RUN_DATA.testSize, digits_dir: digitsDir,
  };
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const { wallMs, stdout } = await spawnTimed(PYTHON, [TORCH_SCRIPT, JSON.stringify(spec)], env);
  const p = lastJson<Record<string, number>>(stdout);
  return side(wallMs, {
    data: p['data'] ?? 0, build: p['build'] ?? 0, 'first steps': p['first_steps'] ?? 0, 'steady steps': p['steady_steps'] ?? 0,
    evaluation: p['eval'] ?? 0, writing: p['write'] ?? 0,
  }, p['test_acc'] ?? null);
}

/** Every model x batch cell, batchlab then PyTorch (when `withTorch`) in each. */
export async function measureWholeRuns(
  models: BenchModel[], batches: number[], withTorch: boolean, log: (msg: string) => void,
): Promise<WholeRunCell[]> {
  const cells: WholeRunCell[] = [];
  for (const model of models.filter((m) => m === 'mlp' || m === 'cnn')) {
    for (const batch of batches) {
      const steps = wholeRunSteps(batch);
      log(`wholerun ${model} b${batch}, ${steps} steps ...`);
      const { side: batchlab, child } = await runBatchlab(model, batch, steps);
      const torch = withTorch ? await runTorchWhole(model, batch, steps, child) : null;
      cells.push({ model, batch, steps, evalSteps: child.eval_steps, batchlab, torch });
    }
  }
  return cells;
}

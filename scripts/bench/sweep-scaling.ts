/**
 * Sweep throughput: a grid of small runs through the real CLI with --workers 1 and --workers 2,
 * timed from spawn to exit (process start-up included, as a user sees it), plus the same grid as
 * two independent `--workers 1 --shard i/2` processes started together: what two cores give
 * with no coordination at all, the reference for what --workers 2 can reach on this machine.
 *
 * Two grids of the same runs: 8 (one seed pair) shows the fixed costs of a very short sweep
 * (each process's start, its first run's warm-up and dataset load, the last run's tail);
 * 24 (six seeds) is closer to the steady throughput of a real sweep.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listRunIds } from '../../src/results/layout.ts';

const CLI = fileURLToPath(new URL('../../bin/batchlab.mjs', import.meta.url));

/** MLP 784-128-10 on 2,000 mnist digits, 10 epochs; 4 batch sizes x `seeds`. */
function sweepSpec(seeds: number): string {
  return `name: bench-sweep
backend: wasm
data: { name: mnist, trainSize: 2000, testSize: 500 }
model: { name: mlp, hidden: [128], norm: none }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: 10, lr: 0.05 }
sweep:
  batchSize: [16, 32, 64, 128]
  seeds: [${Array.from({ length: seeds }, (_, i) => i + 1).join(', ')}]
`;
}

export const SWEEP_GRIDS = { short: 2, long: 6 } as const; // seeds per grid
export type SweepGrid = keyof typeof SWEEP_GRIDS;
export const runsOf = (grid: SweepGrid) => 4 * SWEEP_GRIDS[grid];
export const SWEEP_MODEL = 'MLP 784-128-10 on 2,000 mnist digits, 10 epochs, batch 16/32/64/128';

export type SweepMode = 'workers 1' | 'workers 2' | '2 shards';

export interface SweepTiming {
  grid: SweepGrid;
  mode: SweepMode;
  wallS: number;
  runsPerMin: number;
  runsDone: number;
}

function runCli(args: string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`batchlab ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

async function countRuns(out: string): Promise<number> {
  return (await listRunIds(out)).length;
}

export async function timeSweep(grid: SweepGrid, mode: SweepMode): Promise<SweepTiming> {
  const dir = await mkdtemp(join(tmpdir(), 'batchlab-bench-sweep-'));
  try {
    const spec = join(dir, 'sweep.yaml');
    await writeFile(spec, sweepSpec(SWEEP_GRIDS[grid]));
    const outs = mode === '2 shards' ? [join(dir, 'out0'), join(dir, 'out1')] : [join(dir, 'out')];
    const t0 = performance.now();
    if (mode === '2 shards') {
      await Promise.all(outs.map((out, i) => runCli(['sweep', spec, '--workers', '1', '--shard', `${i}/2`, '--out', out])));
    } else {
      await runCli(['sweep', spec, '--workers', mode === 'workers 2' ? '2' : '1', '--out', outs[0]]);
    }
    const wallS = (performance.now() - t0) / 1000;
    const runsDone = (await Promise.all(outs.map(countRuns))).reduce((a, b) => a + b, 0);
    return { grid, mode, wallS, runsPerMin: (runsOf(grid) / wallS) * 60, runsDone };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Sweep throughput: the same grid of small runs through the real CLI with --workers 1 and
 * --workers 2, timed from spawn to exit (process start-up included, as a user sees it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/batchlab.mjs', import.meta.url));

/** 8 runs: MLP 784-128-10 on 2,000 mnist digits, 10 epochs, 4 batch sizes x 2 seeds. */
export const SWEEP_SPEC = `name: bench-sweep
backend: wasm
data: { name: mnist, trainSize: 2000, testSize: 500 }
model: { name: mlp, hidden: [128], norm: none }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: 10, lr: 0.05 }
sweep:
  batchSize: [16, 32, 64, 128]
  seeds: [1, 2]
`;
export const SWEEP_RUNS = 8;

export interface SweepTiming {
  workers: number;
  wallS: number;
  runsPerMin: number;
  runsDone: number;
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('exit', (code) => resolveRun({ code, stderr }));
  });
}

export async function timeSweep(workers: number): Promise<SweepTiming> {
  const dir = await mkdtemp(join(tmpdir(), 'batchlab-bench-sweep-'));
  try {
    const spec = join(dir, 'sweep.yaml');
    await writeFile(spec, SWEEP_SPEC);
    const out = join(dir, 'out');
    const t0 = performance.now();
    const { code, stderr } = await runCli(['sweep', spec, '--workers', String(workers), '--out', out]);
    const wallS = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`batchlab sweep --workers ${workers} exited ${code}: ${stderr.slice(-2000)}`);
    const runsDone = (await readdir(join(out, 'runs')).catch(() => [] as string[])).length;
    return { workers, wallS, runsPerMin: (SWEEP_RUNS / wallS) * 60, runsDone };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

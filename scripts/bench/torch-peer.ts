/**
 * Runs the PyTorch peer (torch_bench.py under Debian's /usr/bin/python3) for a list of cells and
 * returns its measurements, or the reason it could not run (torch or OpenBLAS missing).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../torch/torch_bench.py', import.meta.url));
export const PYTHON = '/usr/bin/python3';

export type TorchModel = 'mlp' | 'cnn' | 'tiny';

export interface TorchCell {
  model: TorchModel;
  batch: number;
  /** Timed seconds over all rounds; the best round is reported. */
  seconds: number;
  rounds: number;
  warmup: number;
  min_steps: number;
  max_steps: number;
}

export interface TorchResult {
  model: TorchModel;
  batch: number;
  samples_per_s: number;
  ms_per_step: number;
  steps: number;
  /** CPU seconds per wall second over the timed rounds (all threads): the cores the peer really used. */
  cpu_per_wall?: number;
  /** The best round's process CPU ms per step (all threads). */
  cpu_ms_per_step?: number;
}

export interface TorchPeer {
  available: boolean;
  /** Why it is unavailable, or its version line when available. */
  note: string;
  version?: string;
}

/** Checks for torch and for OpenBLAS (without it Debian's torch uses reference BLAS, ~17x slower). */
export async function probeTorch(): Promise<TorchPeer> {
  if (!existsSync(PYTHON)) return { available: false, note: `${PYTHON} not found` };
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { timeout: 60_000 });
    const version = stdout.trim();
    const blas = ['/usr/lib/x86_64-linux-gnu/openblas-pthread', '/usr/lib/aarch64-linux-gnu/openblas-pthread'].some(existsSync);
    if (!blas) return { available: false, note: `torch ${version} found but libopenblas0-pthread is not installed (reference BLAS would be an unfair peer)` };
    return { available: true, note: `torch ${version} (Debian python3-torch, OpenBLAS pthread)`, version };
  } catch {
    return { available: false, note: 'python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)' };
  }
}

/**
 * Runs all cells in one Python process (importing torch takes seconds) on `threads` threads:
 * torch.set_num_threads and OpenBLAS's own pool (torch_bench.py sizes both; the environment
 * here says the same, so a process that set OPENBLAS_NUM_THREADS for itself does not leak it).
 * `blasAllCores` leaves OpenBLAS's pool at one thread per core, as the peer ran before, for
 * showing the difference side by side; no measurement of record uses it.
 */
export async function runTorch(cells: TorchCell[], threads: number, blasAllCores = false): Promise<TorchResult[]> {
  if (cells.length === 0) return [];
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  if (blasAllCores) delete env['OPENBLAS_NUM_THREADS'];
  const { stdout } = await run(PYTHON, [SCRIPT, JSON.stringify(cells), String(threads), ...(blasAllCores ? ['blas-all-cores'] : [])], {
    timeout: 30 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
    env,
  });
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as TorchResult);
}

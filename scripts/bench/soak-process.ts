/**
 * The soak section of `npm run bench`: scripts/bench/soak.ts in a fresh process (so its RSS is the
 * sweep's alone, not the benchmark's), its JSON result parsed here.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SoakResult } from './soak.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function runSoakProcess(runs: number, every: number): Promise<SoakResult> {
  return new Promise((resolveSoak, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', 'bin/run-ts.mjs', 'scripts/bench/soak.ts', '--json', '--runs', String(runs), '--every', String(every)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolveSoak(JSON.parse(line) as SoakResult); // exit 1 with a result: a tolerance exceeded, reported as FAIL
      } catch {
        reject(new Error(`scripts/bench/soak.ts exited ${code} without a result: ${stderr.slice(-2000)}`));
      }
    });
  });
}

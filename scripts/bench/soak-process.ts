/**
 * The soak section of `npm run bench`: scripts/bench/soak.ts in a fresh process (so its RSS is the
 * sweep's alone, not the benchmark's), its JSON result parsed here.
 */
import type { SoakResult } from './soak.ts';
import { spawnCollect } from './spawn-collect.ts';

export async function runSoakProcess(runs: number, every: number): Promise<SoakResult> {
  const { code, stdout, stderr } = await spawnCollect(process.execPath, ['--expose-gc', 'bin/run-ts.mjs', 'scripts/bench/soak.ts', '--json', '--runs', String(runs), '--every', String(every)]);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as SoakResult; // exit 1 with a result: a tolerance exceeded, reported as FAIL
  } catch {
    throw new Error(`scripts/bench/soak.ts exited ${code} without a result: ${stderr.slice(-2000)}`);
  }
}

/**
 * Runs a benchmark child process from the repository root and collects what it printed: its exit
 * code, stdout, stderr and wall time (for the sections that measure in a fresh process).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Collected {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export function spawnCollect(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Collected> {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr, wallMs: performance.now() - t0 }));
  });
}

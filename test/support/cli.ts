/** Spawns the real `batchlab` binary, as a user would, and captures its output. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCsv } from '../../src/results/csv.ts';

export const BIN = resolve(import.meta.dirname, '../../bin/batchlab.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'batchlab-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeSpec(dir: string, name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** Runs the CLI; `onStdout` may kill the child (returns the child for that). */
export function runCli(
  args: string[], cwd: string,
  opts: { env?: Record<string, string>; onStdout?: (text: string, kill: (sig: NodeJS.Signals) => void) => void; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      opts.onStdout?.(stdout, (sig) => child.kill(sig));
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A CSV file's rows by column name, read with the parser batchlab itself uses. */
export function readCsvRows(file: string): Record<string, string>[] {
  return parseCsv(readFileSync(file, 'utf8'), file).rows.map((r) => r.values);
}

/** A CSV file's header. */
export function readCsvColumns(file: string): string[] {
  return parseCsv(readFileSync(file, 'utf8'), file).columns;
}

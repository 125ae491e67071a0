/**
 * Runs Python with NumPy (Debian python3-numpy) as an independent writer of test data: the
 * script writes files into a folder and prints JSON of the values it wrote.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Whether /usr/bin/python3 can import the module `name`. */
export function hasModule(name: string): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', `import ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const numpyPresent = (): boolean => hasModule('numpy');

/** Runs `code` in `dir` (as the working folder) and parses its stdout as JSON. */
export function runPython<T>(dir: string, code: string): T {
  const script = join(dir, 'write.py');
  writeFileSync(script, code);
  return JSON.parse(execFileSync(PYTHON, [script], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 })) as T;
}

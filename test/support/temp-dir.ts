/**
 * A fresh temporary folder for each test of the enclosing describe (or file, at top level),
 * removed after the test: `const tmp = useTempDir('batchlab-x-')`, then `tmp.path` in a test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export function useTempDir(prefix: string): { readonly path: string } {
  let path = '';
  beforeEach(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(path, { recursive: true, force: true });
  });
  return { get path() { return path; } };
}

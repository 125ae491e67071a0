/** Whether a results folder can be created or reused at a path, checked before anything is written. */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Issue } from '../errors.ts';

/**
 * The output folder must be a folder or not exist yet, and its nearest existing ancestor a
 * folder. `flag` names where the path came from (`--out`, or `name` for results/<name>).
 */
export async function checkOutDir(outDir: string, flag: string): Promise<Issue[]> {
  let p = resolve(outDir);
  for (;;) {
    const info = await stat(p).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : e));
    if (info instanceof Error) {
      if (info.code === 'ENOTDIR') return [{ path: flag, message: `expected a folder, got ${JSON.stringify(outDir)} (a part of it is a file)` }];
      return [{ path: flag, message: `cannot use ${JSON.stringify(outDir)}: ${info.code ?? info.message}` }];
    }
    if (info) {
      if (info.isDirectory()) return [];
      return [{ path: flag, message: p === resolve(outDir) ? `expected a folder, got ${JSON.stringify(outDir)} (an existing file)` : `expected a folder, got ${JSON.stringify(outDir)} (${p} is a file)` }];
    }
    const up = dirname(p);
    if (up === p) return [];
    p = up;
  }
}

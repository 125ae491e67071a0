#!/usr/bin/env node
// Starts the CLI: from the bundle built at install (dist/cli/, see cli-bundle.mjs) while it is
// fresh, else the TypeScript sources through tsx, so `npx batchlab` works right after `npm ci`
// and after any edit. BATCHLAB_CLI=tsx forces the sources. How it started is in
// BATCHLAB_CLI_STARTED (shown by `batchlab doctor`).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleStatus } from './cli-bundle.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bundle = process.env.BATCHLAB_CLI === 'tsx' ? { fresh: false, why: 'BATCHLAB_CLI=tsx' } : bundleStatus(root);
if (bundle.fresh) {
  process.env.BATCHLAB_CLI_STARTED = `bundle (${bundle.dir})`;
  process.env.BATCHLAB_WORKER_ENTRY ??= join(bundle.dir, 'worker.mjs');
  await import(pathToFileURL(join(bundle.dir, 'main.mjs')).href);
} else {
  process.env.BATCHLAB_CLI_STARTED = `TypeScript through tsx: ${bundle.why}`;
  // A worker entry inherited from a bundled parent would run the stale bundle beside fresh sources.
  if (process.env.BATCHLAB_WORKER_ENTRY?.startsWith(join(root, 'dist'))) delete process.env.BATCHLAB_WORKER_ENTRY;
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

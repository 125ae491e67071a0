#!/usr/bin/env node
// Builds the CLI bundle dist/cli/ (bin/cli-bundle.mjs says what it is and when it is used): the
// CLI and the sweep worker bundled by esbuild into ES modules, the chunks they share, the wasm
// backend's binaries beside them, and stamp.json (what it was built from). Run by `npm install`
// / `npm ci` and by `npm run build`.
//   node scripts/build-cli.mjs [--out DIR] [extra entry .ts ...]
// --out builds elsewhere without a stamp (scripts/gpu/prepare-bundle.sh: the GPU bundle, with
// its benchmark scripts as extra entries). Without the bundle the CLI still runs (through tsx),
// so a failed build warns and exits 0, unless BATCHLAB_REQUIRE_SYSTEM=1 (CI), where it exits 1.
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_DIR, sourceStamp, STAMP_FILE } from '../bin/cli-bundle.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const outFlag = args.indexOf('--out');
const custom = outFlag >= 0 ? resolve(args[outFlag + 1]) : null;
const extraEntries = args.filter((a, i) => i !== outFlag && i !== outFlag + 1);
const target = custom ?? join(root, BUNDLE_DIR);
const building = `${target}.building-${process.pid}`;

/** Packages loaded from node_modules at run time: native binaries, optional installs, test-only tools. */
const EXTERNAL = ['esbuild', 'webgpu', '@resvg/resvg-js', 'playwright-core', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'tsx', 'tsx/*'];
// Bundled CommonJS packages ask for require, __dirname and __filename: give each chunk its own.
const BANNER = [
  "import { createRequire as __blCreateRequire } from 'node:module';",
  "import { fileURLToPath as __blFileUrlToPath } from 'node:url';",
  "import { dirname as __blDirnameOf } from 'node:path';",
  'const require = __blCreateRequire(import.meta.url);',
  'const __blFilename = __blFileUrlToPath(import.meta.url);',
  'const __blDirname = __blDirnameOf(__blFilename);',
].join(' ');

async function build() {
  // Taken before bundling, so an edit made while it runs leaves the bundle stale, not wrongly fresh.
  const stamp = custom ? null : sourceStamp(root);
  const esbuild = await import('esbuild');
  rmSync(building, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts', 'src/runner/worker.ts', ...extraEntries],
    bundle: true, platform: 'node', target: 'node20', format: 'esm', splitting: true,
    outdir: building, entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': '.mjs' },
    external: EXTERNAL,
    define: { __dirname: '__blDirname', __filename: '__blFilename' },
    banner: { js: BANNER },
    logLevel: 'warning',
  });
  // tfjs-backend-wasm looks for its binaries beside the code that loads them (a chunk).
  const wasmDir = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(building, 'chunks', f));
  if (stamp) writeFileSync(join(building, STAMP_FILE), `${JSON.stringify({ ...stamp, builtAt: new Date().toISOString() })}\n`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(building, target);
}

try {
  const t0 = performance.now();
  await build();
  console.error(`build-cli: ${target} built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} catch (err) {
  rmSync(building, { recursive: true, force: true });
  console.error(`build-cli: the CLI bundle was not built (${err instanceof Error ? err.message : String(err)}); the CLI runs through tsx instead`);
  process.exitCode = process.env.BATCHLAB_REQUIRE_SYSTEM === '1' ? 1 : 0;
}

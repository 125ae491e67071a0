#!/usr/bin/env node
// Builds native/build/batchlab_native.node (the `native` backend's addon) with g++ against
// Debian's oneDNN (libdnnl-dev) and OpenBLAS (libopenblas-dev), using the Node-API headers from
// the npm package node-api-headers: nothing is downloaded. Run by `npm install` / `npm ci`.
//
// The addon is optional: when the build fails this script still exits 0 (so the install goes
// on), and writes the reason to native/build/build-error.txt, which `batchlab doctor` shows.
// BATCHLAB_REQUIRE_SYSTEM=1 makes a failed build exit 1 (CI must build it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// `--out DIR` builds elsewhere (the tests use it); the backend loads native/build/.
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? process.argv[outFlag + 1] : join(here, 'build');
const addon = join(out, 'batchlab_native.node');
const errorFile = join(out, 'build-error.txt');
const cxx = process.env.CXX || 'g++';

function fail(reason) {
  writeFileSync(errorFile, `${reason}\n`);
  process.stderr.write(`batchlab: the native backend was not built (optional; wasm will be used): ${reason.split('\n')[0]}\n`);
  process.exit(process.env.BATCHLAB_REQUIRE_SYSTEM === '1' ? 1 : 0);
}

mkdirSync(out, { recursive: true });
rmSync(errorFile, { force: true });
if (process.env.BATCHLAB_SKIP_NATIVE === '1') fail('skipped: BATCHLAB_SKIP_NATIVE=1');

let include;
try {
  include = createRequire(import.meta.url)('node-api-headers').include_dir;
} catch (err) {
  fail(`the npm package node-api-headers is missing: ${err.message}`);
}

const args = [
  '-O3', '-std=c++17', '-fPIC', '-shared', '-fopenmp', '-march=native',
  '-DNAPI_VERSION=8', '-DNODE_GYP_MODULE_NAME=batchlab_native',
  `-I${include}`, '-I/usr/include/x86_64-linux-gnu',
  join(here, 'batchlab_native.cc'), '-o', `${addon}.tmp`,
  '-ldnnl', '-lopenblas',
];
if (process.arch !== 'x64') args.splice(args.indexOf('-march=native'), 1);
const run = spawnSync(cxx, args, { encoding: 'utf8' });
if (run.error) fail(`${cxx} could not run (${run.error.code ?? run.error.message}); apt-get install g++ libdnnl-dev libopenblas-dev`);
if (run.status !== 0) {
  const log = `${run.stderr}${run.stdout}`.trim();
  const missing = /dnnl\.hpp|ldnnl/.test(log) ? 'libdnnl-dev' : /cblas\.h|lopenblas/.test(log) ? 'libopenblas-dev' : null;
  fail(`${cxx} failed${missing ? ` (${missing} missing; apt-get install g++ libdnnl-dev libopenblas-dev)` : ''}:\n${log.slice(0, 4000)}`);
}

renameSync(`${addon}.tmp`, addon);
process.stderr.write(`batchlab: built ${addon}\n`);

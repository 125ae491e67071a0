// The CLI bundle (dist/cli/, built by scripts/build-cli.mjs when `npm install` / `npm ci` runs):
// the CLI and the sweep worker as plain ES modules with their dependencies inlined, so a process
// starts without transpiling TypeScript (tsx) and without resolving hundreds of modules.
// bin/batchlab.mjs uses it only while it is fresh: built from the sources as they are now. Any
// later change to a file under src/ (or to the other inputs below) makes it stale, and the CLI
// then runs the TypeScript through tsx as before; `npm run build` makes it fresh again.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the bundle lives, relative to the package root. */
export const BUNDLE_DIR = join('dist', 'cli');
export const STAMP_FILE = 'stamp.json';
/** Inputs of the bundle besides the files under src/ (the lock file stands for node_modules). */
export const EXTRA_INPUTS = ['package-lock.json', 'native/src/op-codes.json', 'scripts/build-cli.mjs', 'bin/cli-bundle.mjs'];

/** What the bundle was built from: the newest modification time among its inputs and how many there are. */
export function sourceStamp(root) {
  let newestMtimeMs = 0;
  let files = 0;
  const see = (path) => {
    newestMtimeMs = Math.max(newestMtimeMs, statSync(path).mtimeMs);
    files += 1;
  };
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else see(path);
    }
  };
  walk(join(root, 'src'));
  for (const file of EXTRA_INPUTS) {
    try {
      see(join(root, file));
    } catch {
      // an input that is not there (an installed package has no lock file) counts as absent
    }
  }
  return { newestMtimeMs, files };
}

/** Whether a stamp written at build time still describes the sources (pure). */
export function stampMatches(built, now) {
  if (!built || typeof built !== 'object') return 'no stamp';
  if (built.files !== now.files) return `${now.files - built.files} input file(s) added or removed since the build`;
  if (now.newestMtimeMs > built.newestMtimeMs) return 'sources changed since the build';
  return null;
}

/**
 * `{ fresh: true, dir }` when dist/cli/ was built from the sources as they are now, else
 * `{ fresh: false, why }`. Never throws.
 */
export function bundleStatus(root) {
  const dir = join(root, BUNDLE_DIR);
  let built;
  try {
    built = JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8'));
  } catch {
    return { fresh: false, why: `no bundle (${BUNDLE_DIR}; npm run build makes one)` };
  }
  let why;
  try {
    why = stampMatches(built, sourceStamp(root));
  } catch (err) {
    why = `cannot read the sources (${err.message})`;
  }
  return why === null ? { fresh: true, dir } : { fresh: false, why: `${BUNDLE_DIR} is stale: ${why} (npm run build)` };
}

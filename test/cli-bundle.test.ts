/**
 * The CLI bundle (bin/cli-bundle.mjs, scripts/build-cli.mjs): when it counts as fresh, and that
 * the bundled CLI and its workers do what the TypeScript sources do, bit for bit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module without types, shared with bin/batchlab.mjs
import { bundleStatus, sourceStamp, stampMatches } from '../bin/cli-bundle.mjs';
import { loadNativeAddon, NATIVE_PACKAGES } from '../src/backend/native/addon.ts';
import { readCsvRows, runCli, tempDir, writeSpec } from './support/cli.ts';
import { requireSystem } from './support/require-system.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** A package root with src/ files and a lock file, all dated `at` (seconds). */
function fixtureRoot(at: number): string {
  const root = tempDir('batchlab-bundle-');
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  for (const file of ['src/a.ts', 'src/cli/main.ts', 'package-lock.json']) {
    writeFileSync(join(root, file), '// x\n');
    utimesSync(join(root, file), at, at);
  }
  return root;
}

function writeStamp(root: string, stamp: unknown): void {
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  writeFileSync(join(root, 'dist', 'cli', 'stamp.json'), JSON.stringify(stamp));
}

describe('CLI bundle freshness', () => {
  it('stampMatches: the same inputs match; a newer file, an added or removed file, or no stamp do not', () => {
    const built = { newestMtimeMs: 1000, files: 10 };
    expect(stampMatches(built, { newestMtimeMs: 1000, files: 10 })).toBeNull();
    expect(stampMatches(built, { newestMtimeMs: 900, files: 10 })).toBeNull(); // a file restored to an older date
    expect(stampMatches(built, { newestMtimeMs: 1001, files: 10 })).toMatch(/changed since the build/);
    expect(stampMatches(built, { newestMtimeMs: 1000, files: 11 })).toMatch(/1 input file\(s\) added or removed/);
    expect(stampMatches(built, { newestMtimeMs: 1000, files: 9 })).toMatch(/-1 input file/);
    expect(stampMatches(undefined, { newestMtimeMs: 1000, files: 10 })).toBe('no stamp');
  });

  it('sourceStamp counts src/ and the extra inputs present, and takes the newest date', () => {
    const root = fixtureRoot(1_700_000_000);
    expect(sourceStamp(root)).toEqual({ newestMtimeMs: 1_700_000_000_000, files: 3 });
    utimesSync(join(root, 'src', 'cli', 'main.ts'), 1_700_000_100, 1_700_000_100);
    expect(sourceStamp(root)).toEqual({ newestMtimeMs: 1_700_000_100_000, files: 3 });
  });

  it('bundleStatus: fresh with a matching stamp; stale after an edit or a new file; absent without a bundle', () => {
    const root = fixtureRoot(1_700_000_000);
    expect(bundleStatus(root)).toMatchObject({ fresh: false, why: expect.stringMatching(/^no bundle/) });
    writeStamp(root, sourceStamp(root));
    expect(bundleStatus(root)).toEqual({ fresh: true, dir: join(root, 'dist', 'cli') });
    utimesSync(join(root, 'src', 'a.ts'), 1_700_000_005, 1_700_000_005);
    expect(bundleStatus(root)).toMatchObject({ fresh: false, why: expect.stringMatching(/stale: sources changed.*npm run build/) });
    writeStamp(root, sourceStamp(root));
    writeFileSync(join(root, 'src', 'b.ts'), '// new\n');
    utimesSync(join(root, 'src', 'b.ts'), 1_700_000_000, 1_700_000_000); // dated before the build, still seen
    expect(bundleStatus(root)).toMatchObject({ fresh: false, why: expect.stringMatching(/1 input file\(s\) added or removed/) });
    writeFileSync(join(root, 'dist', 'cli', 'stamp.json'), '{ not json');
    expect(bundleStatus(root).fresh).toBe(false);
  });
});

const { skipNative } = { skipNative: requireSystem(NATIVE_PACKAGES, loadNativeAddon().ok) };

const SPEC = `
name: bundled
backend: native
data: { name: blobs, classes: 4, dim: 10, trainSize: 512, testSize: 128 }
model: { name: mlp, hidden: [32] }
optimizer: { name: sgd, momentum: 0.9 }
train: { epochs: 2, batchSize: 32, lr: 0.05 }
sweep: { batchSize: [16, 64], seeds: [1, 2] }
`;

// A model module in TypeScript: the bundled CLI has no tsx loaded, and registers it for this.
const TS_MODEL = `
interface Args { tf: any; inputShape: number[]; numClasses: number }
export default function build({ tf, inputShape, numClasses }: Args) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape, units: 16, activation: 'relu' }));
  model.add(tf.layers.dense({ units: numClasses }));
  return model;
}
`;

describe.skipIf(skipNative)('the bundled CLI', () => {
  it('is what npm install builds, runs sweeps with workers on native as the sources do (bit for bit), and loads TypeScript model modules', async () => {
    if (!bundleStatus(ROOT).fresh) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'ignore' });
    const dir = tempDir();
    // Fresh right after a build (a file edited while this test runs would make it stale: it then fails here).
    expect(bundleStatus(ROOT)).toMatchObject({ fresh: true });
    const doctor = await runCli(['doctor'], dir);
    const bundled = doctor.stdout.split('\n').find((l) => l.startsWith('cli: '));
    expect(bundled).toBe(`cli: bundle (${join(ROOT, 'dist', 'cli')})`);
    expect((await runCli(['doctor'], dir, { env: { BATCHLAB_CLI: 'tsx' } })).stdout).toContain('cli: TypeScript through tsx: BATCHLAB_CLI=tsx');

    const spec = writeSpec(dir, 'bundled.yaml', SPEC);
    const viaBundle = await runCli(['sweep', spec, '--out', 'bundle', '--workers', '2'], dir);
    expect(viaBundle.code, viaBundle.stderr).toBe(0);
    const viaSources = await runCli(['sweep', spec, '--out', 'sources', '--workers', '2'], dir, { env: { BATCHLAB_CLI: 'tsx' } });
    expect(viaSources.code, viaSources.stderr).toBe(0);
    const ids = readdirSync(join(dir, 'bundle', 'runs')).sort();
    expect(ids).toHaveLength(4);
    expect(readdirSync(join(dir, 'sources', 'runs')).sort()).toEqual(ids);
    const strip = (rows: Record<string, string>[]) => rows.map(({ wall_ms: _wall, ...rest }) => rest);
    for (const id of ids) {
      const record = JSON.parse(readFileSync(join(dir, 'bundle', 'runs', id, 'run.json'), 'utf8'));
      expect(record.environment.backend).toBe('native');
      const curve = (out: string) => strip(readCsvRows(join(dir, out, 'runs', id, 'curve.csv')));
      expect(curve('bundle')).toEqual(curve('sources'));
    }

    writeFileSync(join(dir, 'model.mts'), TS_MODEL);
    const moduleSpec = writeSpec(dir, 'module.yaml', SPEC.replace('{ name: mlp, hidden: [32] }', '{ name: module, path: model.mts }').replace(/^sweep:.*$/m, ''));
    const moduleRun = await runCli(['run', moduleSpec, '--out', 'module'], dir);
    expect(moduleRun.code, moduleRun.stderr).toBe(0);
    const [moduleId] = readdirSync(join(dir, 'module', 'runs'));
    expect(JSON.parse(readFileSync(join(dir, 'module', 'runs', moduleId!, 'run.json'), 'utf8')).status).toBe('completed');

    // A .ts module in a folder without "type": "module" (compiled as CommonJS), importing a local
    // .ts file without its extension: both CLI modes load it and train the same run.
    const plain = join(dir, 'plain-ts');
    mkdirSync(plain);
    writeFileSync(join(plain, 'package.json'), '{ "type": "commonjs" }\n');
    writeFileSync(join(plain, 'units.ts'), 'export const units: number = 16;\n');
    writeFileSync(join(plain, 'model.ts'), TS_MODEL.replace('units: 16', 'units').replace('interface Args', "import { units } from './units';\ninterface Args"));
    const tsSpec = writeSpec(dir, 'module-ts.yaml', SPEC.replace('{ name: mlp, hidden: [32] }', '{ name: module, path: plain-ts/model.ts }').replace(/^sweep:.*$/m, ''));
    const tsBundle = await runCli(['run', tsSpec, '--out', 'ts-bundle'], dir);
    expect(tsBundle.code, tsBundle.stderr).toBe(0);
    const tsSources = await runCli(['run', tsSpec, '--out', 'ts-sources'], dir, { env: { BATCHLAB_CLI: 'tsx' } });
    expect(tsSources.code, tsSources.stderr).toBe(0);
    const [tsId] = readdirSync(join(dir, 'ts-bundle', 'runs'));
    expect(readdirSync(join(dir, 'ts-sources', 'runs'))).toEqual([tsId]);
    const finalRow = (out: string) => readCsvRows(join(dir, out, 'runs', tsId!, 'curve.csv')).map(({ wall_ms: _wall, ...rest }) => rest).at(-1);
    expect(finalRow('ts-bundle')).toEqual(finalRow('ts-sources'));
  });
});

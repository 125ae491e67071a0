/**
 * Backend knobs in the open: every BackendOptions field that changes results is written into
 * run.json's environment, and the knobs the CLI parses reach the worker processes of a sweep.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon, NATIVE_PACKAGES } from '../src/backend/native/addon.ts';
import { BACKEND_OPTION_ENV, backendOptionsFromEnv, DEFAULT_BACKEND_OPTIONS, describeBackendOptions, type BackendOptions } from '../src/backend/options.ts';
import { BACKENDS } from '../src/backend/names.ts';
import { requireSystem } from './support/require-system.ts';
import { runCli, tempDir, writeSpec } from './support/cli.ts';

/** A value of each option other than the default. */
const CHANGED: { [K in keyof BackendOptions]-?: BackendOptions[K] } = {
  threads: 3,
  gemm: 'openblas',
  fusedSgd: false,
  webgpu: { enable: ['skip_validation'], disable: [], submitBatch: 30 },
};

describe('BackendOptions in run.json', () => {
  it.each(Object.keys(CHANGED) as (keyof BackendOptions)[])('%s: changing it changes the environment fields of a backend', (key) => {
    const changed = { ...DEFAULT_BACKEND_OPTIONS, [key]: CHANGED[key] };
    const differs = BACKENDS.filter((b) => JSON.stringify(describeBackendOptions(b, changed)) !== JSON.stringify(describeBackendOptions(b, DEFAULT_BACKEND_OPTIONS)));
    expect(differs.length, `${key} is not recorded for any backend`).toBeGreaterThan(0);
  });

  it('every option has its environment variable, and the variables parse to the changed values', () => {
    expect(Object.keys(BACKEND_OPTION_ENV).sort()).toEqual(Object.keys(CHANGED).sort());
    expect(backendOptionsFromEnv({
      BATCHLAB_THREADS: '3', BATCHLAB_NATIVE_GEMM: 'openblas', BATCHLAB_NATIVE_SGD: 'off', BATCHLAB_WEBGPU: 'skip_validation,submit=30',
    })).toEqual(CHANGED);
    expect(backendOptionsFromEnv({})).toEqual(DEFAULT_BACKEND_OPTIONS);
  });

  it('names every malformed variable at once', () => {
    expect(() => backendOptionsFromEnv({ BATCHLAB_NATIVE_GEMM: 'mkl', BATCHLAB_NATIVE_SGD: 'no', BATCHLAB_WEBGPU: 'fast' })).toThrow(expect.objectContaining({
      issues: [
        { path: 'BATCHLAB_NATIVE_GEMM', message: 'expected onednn | openblas, got "mkl"' },
        { path: 'BATCHLAB_NATIVE_SGD', message: 'expected on | off, got "no"' },
        expect.objectContaining({ path: 'BATCHLAB_WEBGPU' }),
      ],
    }));
  });
});

const skipNative = requireSystem(NATIVE_PACKAGES, loadNativeAddon().ok);

describe.skipIf(skipNative)('the native knobs through the CLI', () => {
  it('a sweep on two processes records the GEMM library, fused SGD and threads of each run; a bad value exits 2', async () => {
    const dir = tempDir('batchlab-knobs-');
    try {
      const spec = writeSpec(dir, 'knobs.yaml', `
name: knobs
backend: native
data: { name: blobs, classes: 3, dim: 4, trainSize: 64, testSize: 16 }
model: { name: mlp, hidden: [8] }
train: { steps: 3, batchSize: 8, lr: 0.1 }
sweep: { batchSize: [8, 16], seeds: [1, 2] }
`);
      const env = { BATCHLAB_NATIVE_GEMM: 'openblas', BATCHLAB_NATIVE_SGD: 'off' };
      const r = await runCli(['sweep', spec, '--out', 'out', '--workers', '2', '--threads', '1'], dir, { env });
      expect(r.code, r.stderr).toBe(0);
      const runs = readdirSync(join(dir, 'out', 'runs'));
      expect(runs).toHaveLength(4);
      for (const id of runs) {
        const record = JSON.parse(readFileSync(join(dir, 'out', 'runs', id, 'run.json'), 'utf8'));
        expect(record.environment).toMatchObject({ backend: 'native', native_threads: '1', native_gemm: 'openblas', native_fused_sgd: 'false' });
      }
      const bad = await runCli(['run', spec, '--out', 'bad'], dir, { env: { BATCHLAB_NATIVE_GEMM: 'mkl' } });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('BATCHLAB_NATIVE_GEMM: expected onednn | openblas, got "mkl"');
      expect(readdirSync(dir)).not.toContain('bad');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

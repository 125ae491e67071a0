/**
 * The native backend as a whole: its optional build, its thread setting, deterministic training
 * at one thread and steady memory. Suites that need the addon skip without it (it needs
 * g++ libdnnl-dev libopenblas-dev) and fail instead with BATCHLAB_REQUIRE_SYSTEM=1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { buildModel } from '../../models/index.ts';
import type { ModelConfig } from '../../models/index.ts';
import { initBackend, probeBackend } from '../index.ts';
import { ADDON_PATH, loadNativeAddon, NATIVE_PACKAGES, nativeThreadCount } from './addon.ts';
import { GEMM_LIBRARIES } from './op-codes.ts';
import { requireSystem } from '../../../test/support/require-system.ts';
import { UsageError } from '../../errors.ts';
import { backendOptionsFromEnv } from '../options.ts';

const BUILD = join(import.meta.dirname, '..', '..', '..', 'native', 'build.mjs');
const load = loadNativeAddon();
const skipNative = requireSystem(NATIVE_PACKAGES, load.ok);

function build(out: string, env: Record<string, string>) {
  // A clean HOME: no ~/.npmrc or cached Node headers can help the build.
  const home = mkdtempSync(join(tmpdir(), 'batchlab-home-'));
  try {
    return spawnSync(process.execPath, [BUILD, '--out', out], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, ...env } });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('nativeThreadCount', () => {
  it.each([
    [undefined, 4, 4],
    ['', 3, 3],
    ['1', 8, 1],
    ['6', 2, 6],
  ])('BATCHLAB_THREADS=%s on %i cores -> %i', (raw, cores, want) => {
    const { threads } = backendOptionsFromEnv(raw === undefined ? {} : { BATCHLAB_THREADS: raw });
    expect(nativeThreadCount(threads, cores)).toBe(want);
  });
  it.each(['0', '-2', '1.5', 'two'])('rejects BATCHLAB_THREADS=%s', (raw) => {
    expect(() => backendOptionsFromEnv({ BATCHLAB_THREADS: raw })).toThrow(UsageError);
    expect(() => backendOptionsFromEnv({ BATCHLAB_THREADS: raw })).toThrow(expect.objectContaining({
      issues: [{ path: 'BATCHLAB_THREADS', message: expect.stringMatching(/^expected a positive integer/) }],
    }));
  });
});

describe('native/build.mjs', () => {
  const out = mkdtempSync(join(tmpdir(), 'batchlab-native-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('without a compiler, exits 0 (an optional build) and says which packages to install', () => {
    const r = build(out, { CXX: '/nonexistent/g++' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/native backend was not built/);
    expect(readFileSync(join(out, 'build-error.txt'), 'utf8')).toMatch(/apt-get install g\+\+ libdnnl-dev libopenblas-dev/);
    expect(existsSync(join(out, 'batchlab_native.node'))).toBe(false);
  });

  it('without a compiler and with BATCHLAB_REQUIRE_SYSTEM=1, fails', () => {
    expect(build(out, { CXX: '/nonexistent/g++', BATCHLAB_REQUIRE_SYSTEM: '1' }).status).toBe(1);
  });

  it.skipIf(skipNative)('builds with a clean HOME from npm headers and Debian libraries', () => {
    const r = build(out, {});
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, 'batchlab_native.node'))).toBe(true);
    expect(existsSync(join(out, 'build-error.txt'))).toBe(false);
  }, 600_000);
});

describe.skipIf(skipNative)('native backend training', () => {
  useLeakCheck();
  beforeAll(async () => {
    const active = await initBackend('native');
    expect(active.name).toBe('native');
    if (load.ok) load.addon.setThreads(1);
  });
  afterAll(() => {
    if (load.ok) load.addon.setThreads(load.threads);
  });

  it('probes as usable, naming oneDNN and OpenBLAS', async () => {
    const probe = await probeBackend('native');
    expect(probe.usable).toBe(true);
    expect(probe.reason).toMatch(/oneDNN \d+\.\d+.*OpenBLAS/);
  });

  /** Trains `steps` SGD steps from seed 7 on fixed data; returns the final weights. */
  function train(cfg: ModelConfig, inputShape: number[], steps: number, counts?: number[]): Float32Array[] {
    const model = buildModel(cfg, inputShape, 3, 7);
    const x = tf.tidy(() => tf.sin(tf.range(0, 16 * inputShape.reduce((a, b) => a * b, 1)).reshape([16, ...inputShape])));
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32'), 3));
    const opt = tf.train.sgd(0.05);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let s = 0; s < steps; s++) {
      tf.dispose(opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars)!);
      counts?.push(tf.memory().numTensors);
    }
    const weights = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
    return weights;
  }

  const CNN: ModelConfig = { name: 'cnn', channels: [4, 6], pooling: 'max', kernelSize: 3, dropout: 0, norm: 'batch', groups: 2 } as ModelConfig;
  const MLP: ModelConfig = { name: 'mlp', hidden: [16, 8], activation: 'relu', dropout: 0, norm: 'none', groups: 2 } as ModelConfig;

  it.each([['mlp', MLP, [12]], ['cnn + batch norm', CNN, [8, 8, 1]]] as const)('%s: reruns at 1 thread are bit-identical', (_, cfg, shape) => {
    const a = train(cfg, [...shape], 5);
    const b = train(cfg, [...shape], 5);
    expect(a.length).toBe(b.length);
    a.forEach((w, i) => expect(Buffer.from(w.buffer, w.byteOffset, w.byteLength).equals(Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)), `weight ${i}`).toBe(true));
  });

  it('holds the tensor count steady over 200 CNN steps', () => {
    const counts: number[] = [];
    train(CNN, [8, 8, 1], 200, counts);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});

// oneDNN 2.6's JIT sgemm points rsp at the heap while it runs: a signal arriving then corrupted the
// heap (glibc aborted with "corrupted size vs. prev_size"). The addon blocks asynchronous signals
// around its oneDNN calls; here a child process multiplies under a sampling profiler that signals
// its main thread every 50 us (the unguarded addon aborted every time).
const SIGNALLED_GEMMS = `
import { createRequire } from 'node:module';
const addon = createRequire(import.meta.url)(process.argv[1]);
addon.setThreads(Number(process.argv[2]));
const [m, n, k] = [256, 256, 384];
const keep = [];
for (let i = 0; i < 300; i++) {
  const a = new Float32Array(m * k).fill(1), b = new Float32Array(k * n).fill(1), c = new Float32Array(m * n);
  addon.gemm(a, b, c, 1, m, n, k, i & 1, 0, null, 0, ${GEMM_LIBRARIES.onednn});
  if (c[0] !== k || c[m * n - 1] !== k) throw new Error('wrong product');
  keep.push(new Float32Array(1000 + (i % 7) * 3000));
  if (keep.length > 20) keep.shift();
}
console.log('ok');
`;

describe.skipIf(skipNative)('native addon under signals', () => {
  it.each([1, 2])('oneDNN sgemm survives a profiler signalling every 50 us (%i thread(s))', (threads) => {
    const dir = mkdtempSync(join(tmpdir(), 'batchlab-prof-'));
    try {
      const run = spawnSync(
        process.execPath,
        ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', dir, '--input-type=module', '-e', SIGNALLED_GEMMS, ADDON_PATH, String(threads)],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(`${run.stderr}`.trim()).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

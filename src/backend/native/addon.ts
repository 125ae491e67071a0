/**
 * Loading the native addon (native/build/batchlab_native.node, built by `npm install` through
 * native/build.mjs) and sizing its thread pools. Loading never throws: it reports why not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../../errors.ts';
import { environmentBackendOptions, setNativePoolEnvironment } from '../options.ts';

/** The addon's functions: they read and write the given Float32Arrays in place; sizes are element counts. */
export interface NativeAddon {
  conv2dForward(x: Float32Array, w: Float32Array, y: Float32Array, ...geometry: number[]): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, ...geometry: number[]): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, ...geometry: number[]): void;
  /** `library`: a code of GEMM_LIBRARIES (op-codes.ts). */
  gemm(
    a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, bias: Float32Array | null, relu: number, library: number,
  ): void;
  /** `op`: a code of BINARY_OPS (op-codes.ts). */
  binary(x: Float32Array, y: Float32Array, out: Float32Array, op: number, shape: number[] | null, xStrides: number[] | null, yStrides: number[] | null): void;
  /** `op`: a code of UNARY_OPS; `alpha` is Step's value for x <= 0. */
  unary(x: Float32Array, out: Float32Array, op: number, alpha: number): void;
  /** Absent from an addon built before it existed: the native backend then keeps the optimizer's op chain (kernels.ts). */
  sgdUpdate?(
    w: Float32Array, g: Float32Array, velocity: Float32Array | null, wOut: Float32Array, velocityOut: Float32Array | null,
    lr: number, momentum: number, weightDecay: number, nesterov: number,
  ): void;
  /**
   * One Adam update (kernels/adam.ts); every scalar is rounded to float32 in the addon, and
   * `oneMinusBeta1`/`oneMinusBeta2` are 1 - beta computed in double, as the op chain's scalars are.
   * Absent from an addon built before it existed: the optimizer's op chain then.
   */
  adamUpdate?(
    w: Float32Array, g: Float32Array, m: Float32Array, s: Float32Array, wOut: Float32Array, mOut: Float32Array, sOut: Float32Array,
    lr: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, epsilon: number,
    weightDecay: number, correction1: number, correction2: number,
  ): void;
  /**
   * Softmax cross-entropy over [rows, classes] (kernels/softmax-xent.ts): `loss` has `rows`
   * elements or one, by `reduction` (a code of XENT_REDUCTIONS); `lse` gets each row's
   * log-sum-exp. Absent (with its gradient) from an addon built before them: tfjs's composition then.
   */
  softmaxXent?(logits: Float32Array, labels: Float32Array, loss: Float32Array, lse: Float32Array, rows: number, classes: number, reduction: number): void;
  /** dlogits of softmaxXent from dy (`rows` elements or one, by `reduction`) and the forward's lse. */
  softmaxXentGrad?(
    dy: Float32Array, logits: Float32Array, labels: Float32Array, lse: Float32Array, dlogits: Float32Array,
    rows: number, classes: number, reduction: number,
  ): void;
  /** `mode`: a code of REDUCE_OPS. Sum and Mean accumulate in float64 and round once. */
  reduce(x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number, mode: number): void;
  transpose(x: Float32Array, out: Float32Array, outer: number, rows: number, cols: number, inner: number): void;
  gatherRows(x: Float32Array, indices: Int32Array, out: Float32Array, rowSize: number): void;
  maxPool(x: Float32Array, y: Float32Array, ...geometry: number[]): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, ...geometry: number[]): void;
  batchNormForward(
    x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number,
    y: Float32Array, mean: Float32Array, variance: Float32Array,
  ): void;
  batchNormBackward(
    dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number,
    dmean: Float32Array | null, dvariance: Float32Array | null, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void;
  /**
   * Inference-mode batch norm (tfjs's FusedBatchNorm) over [rows, C], every statistic [C]; the cpu
   * kernel's arithmetic (float64 per element), so bit-identical to it. Absent from an addon built
   * before it existed: the native backend then keeps the cpu kernel.
   */
  batchNormInference?(
    x: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array, offset: Float32Array,
    epsilon: number, y: Float32Array,
  ): void;
  /** x [n, S, C] in groups of C/groups channels; mean and rstd [n, groups]. */
  groupNormForward(
    x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number, n: number, groups: number,
    y: Float32Array, mean: Float32Array, rstd: Float32Array,
  ): void;
  groupNormBackward(
    dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
    dmean: Float32Array | null, drstd: Float32Array | null, n: number, groups: number,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void;
  setThreads(n: number): void;
  info(): string;
  selfTestThrow(): void;
}

export type AddonLoad = { ok: true; addon: NativeAddon; threads: number } | { ok: false; reason: string; hint: string };

/** The Debian packages the addon is built from and links against. */
export const NATIVE_PACKAGES = 'g++ libdnnl-dev libopenblas-dev';
const REBUILD_HINT = `apt-get install ${NATIVE_PACKAGES}, then rebuild with \`node native/build.mjs\` (or npm ci)`;

/**
 * The package root: the nearest folder above this file with native/build.mjs (this file sits at
 * src/backend/native/ in the sources and in a chunk of dist/cli/ in the CLI bundle); three folders
 * up where none has it (the GPU bundle carries no native backend).
 */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 8; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'native', 'build.mjs'))) return dir;
  }
  return join(here, '..', '..', '..');
}
const ROOT = packageRoot();
export const ADDON_PATH = join(ROOT, 'native', 'build', 'batchlab_native.node');
const BUILD_ERROR = join(ROOT, 'native', 'build', 'build-error.txt');

/** Threads for the native kernels: `threads` (BackendOptions.threads) when given, else every core. */
export function nativeThreadCount(threads: number | undefined, cores = availableParallelism()): number {
  return threads ?? Math.max(1, cores);
}

let loaded: AddonLoad | undefined;

/**
 * Loads the addon once per process, its pools sized to `threads` (BackendOptions.threads; the
 * environment's default when not given); a later call asking for another count resizes them.
 * Before the load, the OpenMP (oneDNN) and OpenBLAS pools are sized through their environment
 * variables (setNativePoolEnvironment in options.ts), which both libraries read when they start.
 */
export function loadNativeAddon(threads = environmentBackendOptions().threads): AddonLoad {
  const count = nativeThreadCount(threads);
  loaded ??= tryLoad(count);
  if (loaded.ok && loaded.threads !== count) {
    loaded.addon.setThreads(count);
    loaded = { ...loaded, threads: count };
  }
  return loaded;
}

function tryLoad(threads: number): AddonLoad {
  if (!existsSync(ADDON_PATH)) {
    const why = existsSync(BUILD_ERROR) ? readFileSync(BUILD_ERROR, 'utf8').split('\n')[0] : 'native/build.mjs has not run';
    return { ok: false, reason: `the native addon was not built (${why})`, hint: REBUILD_HINT };
  }
  setNativePoolEnvironment(threads);
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    addon.setThreads(threads);
    return { ok: true, addon, threads };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const lib = /libdnnl/.test(message) ? 'libdnnl2' : /libopenblas/.test(message) ? 'libopenblas0' : null;
    return {
      ok: false,
      reason: `the native addon failed to load: ${message.split('\n')[0]}`,
      hint: lib ? `apt-get install ${lib} (or ${NATIVE_PACKAGES})` : REBUILD_HINT,
    };
  }
}

/**
 * Resizes the loaded addon's OpenMP and OpenBLAS pools (the benchmark compares thread counts in
 * one process). Throws when the addon is not loaded.
 */
export function setNativeThreads(n: number): void {
  const load = loadNativeAddon();
  if (!load.ok) throw new EnvironmentError(`native backend unavailable: ${load.reason}`);
  load.addon.setThreads(n);
}

/**
 * BackendOptions: the runtime settings of a backend that are not part of a spec, in one typed
 * object. The CLI parses them once (flags over environment defaults), passes them to backend
 * initialisation and to every worker process, and each backend records the ones it uses in
 * run.json's environment (describeBackendOptions). Those marked "changes results" give different
 * floats (and so different curves) for the same spec.
 *
 * This file is the one place below src/cli/ that reads or writes process.env (test/architecture.test.ts
 * fails on any other): the environment defaults of BackendOptions (environmentBackendOptions), the
 * dynamic linker's search path for the Vulkan loader (environmentLibraryPath) and the pool sizes
 * the native libraries read when they load (setNativePoolEnvironment). Settings of other layers
 * (the lock's stale time, a bundle's worker entry) are read by the CLI and passed down.
 *
 * Environment defaults are applied here and nowhere else below src/cli/ (backendOptionsFromEnv):
 *   BATCHLAB_THREADS       native: kernel pool threads per process (positive integer; default every core)
 *   BATCHLAB_NATIVE_GEMM   native: `onednn` (default) or `openblas` single-precision GEMM
 *   BATCHLAB_NATIVE_SGD    native: `off` runs the optimizer's op chain instead of the fused SGD kernel
 *   BATCHLAB_WEBGPU        webgpu: Dawn toggles and tfjs's submit batch (webgpu-settings.ts)
 */
import { UsageError, type Issue } from '../errors.ts';
import { GEMM_LIBRARIES } from './native/op-codes.ts';
import { parseThreads } from './threads.ts';
import { DEFAULT_WEBGPU_SETTINGS, describeWebGpuSettings, parseWebGpuSettings, WEBGPU_SETTINGS_ENV, type WebGpuSettings } from './webgpu-settings.ts';

/** The native backend's GEMM libraries, named as the addon's table (native/op-codes.ts) names them. */
export type GemmLibrary = keyof typeof GEMM_LIBRARIES;
const GEMM_NAMES = Object.keys(GEMM_LIBRARIES) as GemmLibrary[];

export interface BackendOptions {
  /** native: threads of the kernel pools (oneDNN's OpenMP, OpenBLAS); undefined: every core. Changes results (summation order). */
  threads?: number;
  /** native: whose single-precision GEMM runs matrix products. Changes results. */
  gemm: GemmLibrary;
  /** native: the fused SGD update kernel; false runs the optimizer's op chain. Changes results. */
  fusedSgd: boolean;
  /** webgpu: Dawn device toggles and tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE (webgpu-settings.ts). */
  webgpu: WebGpuSettings;
}

export const DEFAULT_BACKEND_OPTIONS: BackendOptions = { gemm: 'onednn', fusedSgd: true, webgpu: DEFAULT_WEBGPU_SETTINGS };

/** The environment variable of each option, for messages and docs. */
export const BACKEND_OPTION_ENV = {
  threads: 'BATCHLAB_THREADS', gemm: 'BATCHLAB_NATIVE_GEMM', fusedSgd: 'BATCHLAB_NATIVE_SGD', webgpu: WEBGPU_SETTINGS_ENV,
} as const satisfies Record<keyof BackendOptions, string>;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * BackendOptions from environment variables over the defaults. Throws UsageError listing every
 * malformed variable by name.
 */
export function backendOptionsFromEnv(env: Env): BackendOptions {
  const issues: Issue[] = [];
  const options: BackendOptions = { ...DEFAULT_BACKEND_OPTIONS };
  const raw = (key: keyof BackendOptions) => {
    const v = env[BACKEND_OPTION_ENV[key]];
    return v === undefined || v === '' ? undefined : v;
  };
  const threads = raw('threads');
  if (threads !== undefined) {
    const n = parseThreads(threads);
    if (typeof n === 'string') issues.push({ path: BACKEND_OPTION_ENV.threads, message: n });
    else options.threads = n;
  }
  const gemm = raw('gemm');
  if (gemm !== undefined) {
    if (Object.hasOwn(GEMM_LIBRARIES, gemm)) options.gemm = gemm as GemmLibrary;
    else issues.push({ path: BACKEND_OPTION_ENV.gemm, message: `expected ${GEMM_NAMES.join(' | ')}, got ${JSON.stringify(gemm)}` });
  }
  const sgd = raw('fusedSgd');
  if (sgd !== undefined) {
    if (sgd === 'off' || sgd === 'on') options.fusedSgd = sgd === 'on';
    else issues.push({ path: BACKEND_OPTION_ENV.fusedSgd, message: `expected on | off, got ${JSON.stringify(sgd)}` });
  }
  const webgpu = parseWebGpuSettings(raw('webgpu'));
  if (typeof webgpu === 'string') issues.push({ path: BACKEND_OPTION_ENV.webgpu, message: webgpu });
  else options.webgpu = webgpu;
  if (issues.length > 0) {
    throw new UsageError(`invalid backend setting in the environment: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return options;
}

/**
 * The options of this process's environment: what backend code uses when it is given none
 * (scripts, tests).
 */
export function environmentBackendOptions(): BackendOptions {
  return backendOptionsFromEnv(process.env);
}

/** The dynamic linker's LD_LIBRARY_PATH, searched first for the Vulkan loader (vulkan-loader.ts). */
export function environmentLibraryPath(): string | undefined {
  return process.env['LD_LIBRARY_PATH'];
}

/**
 * Sizes the OpenMP (oneDNN) and OpenBLAS pools to `threads` through the variables both libraries
 * read when they load, so it must run before the native addon is loaded; waiting threads sleep
 * (OMP_WAIT_POLICY=PASSIVE) unless the user chose otherwise, so processes sharing cores do not
 * spin against each other.
 */
export function setNativePoolEnvironment(threads: number): void {
  process.env['OMP_NUM_THREADS'] = String(threads);
  process.env['OPENBLAS_NUM_THREADS'] = String(threads);
  process.env['OMP_WAIT_POLICY'] ??= 'PASSIVE';
}

/**
 * run.json environment fields for the options `backend` uses (snake_case keys, string values):
 * native: `native_threads`, `native_gemm`, `native_fused_sgd`; webgpu: `webgpu_dawn_toggles`,
 * `webgpu_submit_batch`; other backends: none. `threads` is the count in effect.
 */
export function describeBackendOptions(backend: string, o: BackendOptions, threads?: number): Record<string, string> {
  if (backend === 'native') {
    return { native_threads: String(threads ?? o.threads ?? ''), native_gemm: o.gemm, native_fused_sgd: String(o.fusedSgd) };
  }
  if (backend === 'webgpu') return describeWebGpuSettings(o.webgpu);
  return {};
}

/**
 * Counts the compute dispatches and queue submissions of tfjs's webgpu backend (4.22), to measure
 * how many GPU programs a training step runs. Every program tfjs runs goes through the backend's
 * `recordAndSubmit` (one `dispatchWorkgroups` each; zero-sized outputs skip it) and every command
 * buffer through `submitQueue`; both are wrapped on the backend instance, once, and the wrappers
 * tell whichever counters are listening. Buffer copies (reads, uploads) are submits but not
 * dispatches.
 */
import { InternalError } from '../errors.ts';

/** What a counter saw between its start and now. */
export interface DispatchCounts {
  /** Compute dispatches (one per program run). */
  dispatches: number;
  /** Command buffers submitted to the device queue. */
  submits: number;
  /** Dispatches per program class name (e.g. `BinaryOpProgram`), in first-seen order. */
  byProgram: Map<string, number>;
}

export interface DispatchCounter {
  /** The counts so far (a copy). */
  read(): DispatchCounts;
  /** Stops counting and returns the final counts; later calls return the same counts. */
  stop(): DispatchCounts;
}

/** The two methods of tfjs's WebGPUBackend the counter wraps. */
interface WebgpuBackendLike {
  recordAndSubmit(program: object, ...rest: unknown[]): unknown;
  submitQueue(...rest: unknown[]): unknown;
}

interface Listener {
  onDispatch(programName: string): void;
  onSubmit(): void;
}

const LISTENERS = Symbol.for('batchlab.webgpuDispatchListeners');

type Instrumented = WebgpuBackendLike & { [LISTENERS]?: Set<Listener> };

function isWebgpuBackendLike(b: unknown): b is WebgpuBackendLike {
  const o = b as Partial<WebgpuBackendLike> | null;
  return o != null && typeof o.recordAndSubmit === 'function' && typeof o.submitQueue === 'function';
}

/** Wraps the backend's two methods once; returns the set of listeners the wrappers call. */
function listenersOf(backend: Instrumented): Set<Listener> {
  const existing = backend[LISTENERS];
  if (existing) return existing;
  const listeners = new Set<Listener>();
  const record = backend.recordAndSubmit;
  const submit = backend.submitQueue;
  backend.recordAndSubmit = function (this: WebgpuBackendLike, program: object, ...rest: unknown[]) {
    const name = program.constructor?.name ?? 'unnamed';
    for (const l of listeners) l.onDispatch(name);
    return record.call(this, program, ...rest);
  };
  backend.submitQueue = function (this: WebgpuBackendLike, ...rest: unknown[]) {
    for (const l of listeners) l.onSubmit();
    return submit.apply(this, rest);
  };
  backend[LISTENERS] = listeners;
  return listeners;
}

function copy(c: DispatchCounts): DispatchCounts {
  return { dispatches: c.dispatches, submits: c.submits, byProgram: new Map(c.byProgram) };
}

/**
 * Starts counting on `backend`, tfjs's webgpu backend object (`tf.findBackend('webgpu')`).
 * Several counters may run at once. Throws InternalError for anything without the two methods.
 */
export function startDispatchCounter(backend: unknown): DispatchCounter {
  if (!isWebgpuBackendLike(backend)) {
    throw new InternalError('startDispatchCounter needs the webgpu backend (an object with recordAndSubmit and submitQueue)');
  }
  const listeners = listenersOf(backend as Instrumented);
  const counts: DispatchCounts = { dispatches: 0, submits: 0, byProgram: new Map() };
  const listener: Listener = {
    onDispatch(name) {
      counts.dispatches += 1;
      counts.byProgram.set(name, (counts.byProgram.get(name) ?? 0) + 1);
    },
    onSubmit() {
      counts.submits += 1;
    },
  };
  listeners.add(listener);
  return {
    read: () => copy(counts),
    stop: () => {
      listeners.delete(listener);
      return copy(counts);
    },
  };
}

/** Runs `fn` and returns its result with the dispatches and submits `backend` made meanwhile. */
export async function countDispatches<T>(backend: unknown, fn: () => T | Promise<T>): Promise<{ result: T; counts: DispatchCounts }> {
  const counter = startDispatchCounter(backend);
  try {
    const result = await fn();
    return { result, counts: counter.stop() };
  } finally {
    counter.stop();
  }
}

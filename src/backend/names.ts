/** Backend names, probe results and the chosen backend: the vocabulary shared by every driver. */
import type { BackendOptions } from './options.ts';

/** Backends batchlab can run on, in the order `auto` tries them (fastest first). */
export const BACKENDS = ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

/** What probing one backend found; `hint` says what to install or set when it is not usable. */
export interface BackendProbe {
  name: BackendName;
  usable: boolean;
  /** The hardware it would run on (GPU or CPU model); empty when nothing was found. */
  device: string;
  reason: string;
  hint?: string;
}

/** The backend tfjs now runs on, and why it was chosen (for logs and run manifests). */
export interface ActiveBackend {
  name: BackendName;
  device: string;
  why: string;
  isGpu: boolean;
  /** Backend settings that change speed or safety (e.g. Dawn toggles), for run.json's environment. */
  settings?: Record<string, string>;
}

/** What a driver reports after making its backend the active one. */
export interface Activation {
  device: string;
  isGpu: boolean;
  /** Something the user should know about the activation, e.g. a silent CPU fallback. */
  note?: string;
  /** Backend settings that change speed or safety (e.g. Dawn toggles), for run.json's environment. */
  settings?: Record<string, string>;
}

/**
 * One backend's way of being diagnosed and switched on, with the BackendOptions it uses (the
 * environment's defaults when not given; backends without options ignore them).
 */
export interface BackendDriver {
  /** Diagnoses without leaving the backend active; never throws. */
  probe(options?: BackendOptions): Promise<BackendProbe>;
  /** Makes the backend tfjs's active one; throws BackendUnavailableError when it cannot. */
  activate(options?: BackendOptions): Promise<Activation>;
}

export function isBackendName(value: string): value is BackendName {
  return (BACKENDS as readonly string[]).includes(value);
}

import { EnvironmentError } from '../errors.ts';
import type { BackendName, BackendProbe } from './names.ts';

/** A backend that cannot be switched on here; keeps the reason and hint apart for `auto`'s summary. */
export class BackendUnavailableError extends EnvironmentError {
  readonly backend: BackendName;
  readonly reason: string;
  readonly hint?: string;
  constructor(backend: BackendName, reason: string, hint?: string) {
    super(`${backend} backend is not usable: ${reason}${hint ? `\n  hint: ${hint}` : ''}`);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.reason = reason;
    this.hint = hint;
  }
}

/** The probe result for a backend whose check threw: its reason and hint, nothing usable. */
export function unusableProbe(backend: BackendName, err: unknown, fallbackHint?: string): BackendProbe {
  if (err instanceof BackendUnavailableError) {
    return { name: backend, usable: false, device: '', reason: err.reason, hint: err.hint ?? fallbackHint };
  }
  const reason = err instanceof Error ? err.message : String(err);
  return { name: backend, usable: false, device: '', reason, hint: fallbackHint };
}

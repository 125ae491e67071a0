import { EnvironmentError } from '../errors.ts';
import type { BackendName } from './names.ts';

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

/** Argument checks shared by the statistics: a failed check is a bug in the caller (InternalError). */
import { InternalError } from '../../errors.ts';

export function fail(path: string, message: string): never {
  throw new InternalError(`statistics: ${path}: ${message}`);
}

export function requireSamples(xs: readonly number[], path = 'samples', min = 1): void {
  if (xs.length < min) fail(path, `expected at least ${min} value(s), got ${xs.length}`);
}

export function requirePaired(xs: readonly number[], ys: readonly number[]): void {
  if (xs.length !== ys.length) fail('ys', `expected as many values as xs (${xs.length}), got ${ys.length}`);
}

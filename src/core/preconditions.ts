/**
 * Preconditions of core functions whose arguments config/ has validated already: config/schema.ts
 * and config/rules.ts report bad input with its field path before any run is planned, so a broken
 * precondition here is a bug in the caller (an InternalError), never a user's mistake.
 */
import { InternalError } from '../errors.ts';

/** A condition and what it says, e.g. `[gamma > 0, \`gamma > 0, got ${gamma}\`]`. */
export type Precondition = readonly [holds: boolean, says: string];

/** Throws an InternalError naming `fn` and every condition that does not hold; returns otherwise. */
export function assertPreconditions(fn: string, conditions: readonly Precondition[]): void {
  const broken = conditions.filter(([holds]) => !holds).map(([, says]) => says);
  if (broken.length > 0) throw new InternalError(`${fn}: expected ${broken.join('; ')}`);
}

/** A finite number > 0. */
export function isPositive(x: unknown): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/** A finite number >= 0. */
export function isNonNegative(x: unknown): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/** Epochs: finite numbers >= 0, strictly increasing. */
export function isAscendingEpochs(list: unknown): boolean {
  return Array.isArray(list) && list.every((m, i) => isNonNegative(m) && (i === 0 || m > list[i - 1]));
}

/** Checks of a dataset config's numbers at load time; issues are located under `data.`. */
import { UsageError, type Issue } from '../errors.ts';

/** Rule for one numeric field: integer or real, with an inclusive lower and optional upper bound. */
export interface NumberRule {
  key: string;
  value: unknown;
  integer: boolean;
  min: number;
  max?: number;
}

/** Issues for every rule the values break, with paths like `data.trainSize`. Pure. */
export function checkNumbers(rules: NumberRule[]): Issue[] {
  const issues: Issue[] = [];
  for (const { key, value, integer, min, max } of rules) {
    const kind = integer ? 'an integer' : 'a number';
    const range = max === undefined ? `>= ${min}` : `in [${min}, ${max}]`;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      value >= min &&
      (max === undefined || value <= max);
    if (!ok) issues.push({ path: `data.${key}`, message: `expected ${kind} ${range}, got ${JSON.stringify(value)}` });
  }
  return issues;
}

/** Throws a UsageError listing every issue, if there are any. */
export function throwIfIssues(dataset: string, issues: Issue[]): void {
  if (issues.length > 0) throw new UsageError(`invalid ${dataset} dataset settings`, issues);
}

/** The seed rule shared by every dataset: any integer (taken modulo 2^32). */
export function seedRule(seed: unknown): NumberRule {
  return { key: 'seed', value: seed, integer: true, min: -Number.MAX_SAFE_INTEGER };
}

/** Argument checks shared by the model factories; each collects issues and throws them together. */
import { UsageError, type Issue } from '../errors.ts';
import type { NormOptions } from './types.ts';

export function positiveInt(issues: Issue[], path: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    issues.push({ path, message: `expected a positive integer, got ${value}` });
  }
}

export function probability(issues: Issue[], path: string, value: number): void {
  if (!(value >= 0 && value < 1)) issues.push({ path, message: `expected a number in [0, 1), got ${value}` });
}

/** `inputShape` is one example's shape, without the batch axis. */
export function imageShape(issues: Issue[], model: string, inputShape: number[]): void {
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    issues.push({
      path: 'model.name',
      message: `${model} needs image input [height, width, channels], got ${JSON.stringify(inputShape)}`,
    });
  }
}

export function throwIfAny(issues: Issue[], what: string): void {
  if (issues.length > 0) throw new UsageError(`invalid ${what} configuration`, issues);
}

/**
 * Norm settings against the widths that will be normalised, checked before any layer exists so
 * a rejected config leaves no half-built weights behind.
 */
export function normOptions(issues: Issue[], opts: NormOptions, widths: number[]): void {
  if (opts.norm === 'group') {
    positiveInt(issues, 'model.groups', opts.groups);
    const bad = widths.filter((w) => Number.isInteger(w) && w % opts.groups !== 0);
    if (Number.isInteger(opts.groups) && opts.groups > 0 && bad.length > 0) {
      issues.push({
        path: 'model.groups',
        message: `expected a divisor of every normalised width (${bad.join(', ')} channels), got ${opts.groups}`,
      });
    }
  }
  if (opts.ghostBatchSize !== undefined) {
    if (opts.norm !== 'batch') {
      issues.push({ path: 'model.ghostBatchSize', message: `only applies to norm 'batch', got norm '${opts.norm}'` });
    } else {
      positiveInt(issues, 'model.ghostBatchSize', opts.ghostBatchSize);
    }
  }
}

/** Commands beyond run/doctor: sweep, merge, compare, report. */
import type { Argv } from 'yargs';
import type { Output } from './output.ts';

export function registerLaterCommands(
  _parser: Argv, _io: Output, _signal: AbortSignal, _run: (fn: () => Promise<number>) => Promise<void>,
): void {}

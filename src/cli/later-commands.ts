/** Commands beyond run/doctor: sweep, merge, compare, report. */
import type { Argv } from 'yargs';
import type { Output } from './output.ts';
import { sweepCommand, sweepOptions, type SweepArgs } from './commands/sweep.ts';

export function registerLaterCommands(
  parser: Argv, io: Output, signal: AbortSignal, run: (fn: () => Promise<number>) => Promise<void>,
): void {
  parser.command('sweep <spec>', 'run a sweep: batch size x LR x scaling rule x seeds (resumable)', (y) => sweepOptions(y), (a) =>
    run(() => sweepCommand(a as unknown as SweepArgs, io, signal)));
}

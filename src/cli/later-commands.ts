/** Commands beyond run/doctor: sweep, merge, compare, report. */
import type { Argv } from 'yargs';
import type { Output } from './output.ts';
import { mergeCommand, mergeOptions, type MergeArgs } from './commands/merge.ts';
import { sweepCommand, sweepOptions, type SweepArgs } from './commands/sweep.ts';

export function registerLaterCommands(
  parser: Argv, io: Output, signal: AbortSignal, run: (fn: () => Promise<number>) => Promise<void>,
): void {
  parser.command('sweep <spec>', 'run a sweep: batch size x LR x scaling rule x seeds (resumable)', (y) => sweepOptions(y), (a) =>
    run(() => sweepCommand(a as unknown as SweepArgs, io, signal)));
  parser.command('merge <dirs..>', 'combine sweep shard outputs into one directory', (y) => mergeOptions(y), (a) =>
    run(() => mergeCommand(a as unknown as MergeArgs, io)));
}

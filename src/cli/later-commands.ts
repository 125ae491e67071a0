/** Commands beyond run/doctor: sweep, merge, compare, report, verify. */
import type { Argv } from 'yargs';
import type { Output } from './output.ts';
import { compareCommand, compareOptions, type CompareArgs } from './commands/compare.ts';
import { mergeCommand, mergeOptions, type MergeArgs } from './commands/merge.ts';
import { reportCommand, reportOptions, type ReportArgs } from './commands/report.ts';
import { verifyCommand, verifyOptions, type VerifyArgs } from './commands/verify.ts';
import { sweepCommand, sweepOptions, type SweepArgs } from './commands/sweep.ts';

export function registerLaterCommands(
  parser: Argv, io: Output, signal: AbortSignal, run: (fn: () => Promise<number>) => Promise<void>,
): void {
  parser.command('sweep <spec>', 'run a sweep: batch size x LR x scaling rule x seeds (resumable)', (y) => sweepOptions(y), (a) =>
    run(() => sweepCommand(a as unknown as SweepArgs, io, signal)));
  parser.command('merge <dirs..>', 'combine sweep shard outputs into one directory', (y) => mergeOptions(y), (a) =>
    run(() => mergeCommand(a as unknown as MergeArgs, io)));
  parser.command('compare <inputs..>', 'aggregate result CSVs over seeds and compare sweeps side by side', (y) => compareOptions(y), (a) =>
    run(() => compareCommand(a as unknown as CompareArgs, io)));
  parser.command('report <dir>', 'write report.html and charts (SVG, PNG) for a results directory', (y) => reportOptions(y), (a) =>
    run(() => reportCommand(a as unknown as ReportArgs, io)));
  parser.command('verify <dirs..>', "evaluate each results directory's claim: statistic, 95% CI, verdict", (y) => verifyOptions(y), (a) =>
    run(() => verifyCommand(a as unknown as VerifyArgs, io)));
}

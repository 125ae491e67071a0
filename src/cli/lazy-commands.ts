/** Commands beyond run/doctor: sweep, merge, compare, report, verify (each module loaded when it runs). */
import type { Argv } from 'yargs';
import type { Output } from './output.ts';
import {
  compareOptions, mergeOptions, reportOptions, sweepOptions, verifyOptions,
  type CompareArgs, type MergeArgs, type ReportArgs, type SweepArgs, type VerifyArgs,
} from './command-options.ts';

export function registerLazyCommands(
  parser: Argv, io: Output, signal: AbortSignal, run: (fn: () => Promise<number>) => Promise<void>,
): void {
  parser.command('sweep <spec>', 'run a sweep: batch size x LR x scaling rule x seeds (resumable)', (y) => sweepOptions(y), (a) =>
    run(async () => (await import('./commands/sweep.ts')).sweepCommand(a as unknown as SweepArgs, io, signal)));
  parser.command('merge <dirs..>', 'combine sweep shard outputs into one directory', (y) => mergeOptions(y), (a) =>
    run(async () => (await import('./commands/merge.ts')).mergeCommand(a as unknown as MergeArgs, io)));
  parser.command('compare <inputs..>', 'aggregate result CSVs over seeds and compare sweeps side by side', (y) => compareOptions(y), (a) =>
    run(async () => (await import('./commands/compare.ts')).compareCommand(a as unknown as CompareArgs, io)));
  parser.command('report <dir>', 'write report.html and charts (SVG, PNG) for a results directory', (y) => reportOptions(y), (a) =>
    run(async () => (await import('./commands/report.ts')).reportCommand(a as unknown as ReportArgs, io)));
  parser.command('verify <dirs..>', "evaluate each results directory's claim: statistic, 95% CI, verdict", (y) => verifyOptions(y), (a) =>
    run(async () => (await import('./commands/verify.ts')).verifyCommand(a as unknown as VerifyArgs, io)));
}

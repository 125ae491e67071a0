/** `batchlab merge <dir>... --out <dir>`: combines shard outputs into one results directory. */
import type { Argv } from 'yargs';
import { EXIT } from '../../errors.ts';
import { mergeSweeps } from '../../results/merge.ts';
import type { Output } from '../output.ts';

export interface MergeArgs { dirs: string[]; out: string }

export function mergeOptions<T>(y: Argv<T>) {
  return y
    .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'sweep output directories' })
    .option('out', { type: 'string', demandOption: true, describe: 'merged output directory' });
}

export async function mergeCommand(args: MergeArgs, io: Output): Promise<number> {
  const r = await mergeSweeps(args.dirs, args.out);
  io.out(`merged ${r.runs} runs into ${args.out} (${r.duplicates} identical duplicates dropped)`);
  for (const c of r.conflicts) io.err(`conflict: run ${c.runId} differs between ${c.dirs[0]} and ${c.dirs[1]}: ${c.why}; kept the first`);
  return r.conflicts.length ? EXIT.failure : EXIT.ok;
}

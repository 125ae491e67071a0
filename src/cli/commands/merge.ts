/** `batchlab merge <dir>... --out <dir>`: combines shard outputs into one results directory. */
import { EXIT } from '../../errors.ts';
import { lockStaleMs } from '../../results/folder-lock.ts';
import { mergeSweeps } from '../../results/merge.ts';
import type { MergeArgs } from '../command-options.ts';
import type { Output } from '../output.ts';

export async function mergeCommand(args: MergeArgs, io: Output): Promise<number> {
  const r = await mergeSweeps(args.dirs, args.out, { staleMs: lockStaleMs(process.env) });
  io.out(`merged ${r.runs} runs into ${args.out} (${r.duplicates} identical duplicates dropped)`);
  for (const c of r.conflicts) io.err(`conflict: run ${c.runId} differs between ${c.dirs[0]} and ${c.dirs[1]}: ${c.why}; kept the first`);
  return r.conflicts.length ? EXIT.failure : EXIT.ok;
}

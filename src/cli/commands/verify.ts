/** `batchlab verify <dir>...`: evaluates each results directory's claim, prints the verdicts, writes verdicts.csv/json. */
import { fmt } from '../../core/format-number.ts';
import { EXIT, UsageError, type Issue } from '../../errors.ts';
import { renderPlainTable } from '../../report/text-table.ts';
import { renderClaimsTable } from '../../report/claims-table.ts';
import { intervalLabel, seedsCell } from '../../report/verdict-cells.ts';
import { readClaimFile, readSavedVerdicts, verifyResultsDir, type VerifiedDir } from '../../results/verdicts.ts';
import type { VerifyArgs } from '../command-options.ts';
import type { Output } from '../output.ts';

const FORMATS = ['table', 'json', 'md'] as const;

function renderTable(results: readonly VerifiedDir[]): string[] {
  const flat = results.flatMap(({ verdicts, dir, claimSource }) => verdicts.map((verdict) => ({ verdict, dir, claimSource })));
  const rows = flat.map(({ verdict: v, dir }) => [
    v.claimId, v.kind, v.statistic, fmt(v.estimate),
    `${intervalLabel(v)} [${fmt(v.lo)}, ${fmt(v.hi)}]`,
    seedsCell(v), fmt(v.mde), `${fmt(v.p)} (${fmt(v.pHolm)})`, v.expect, v.verdict, dir,
  ]);
  const table = renderPlainTable(['claim', 'test', 'statistic', 'estimate', 'interval', 'n', 'MDE', 'p (Holm)', 'expect', 'verdict', 'results'], rows);
  return [table, '', ...flat.map(({ verdict: v, claimSource }) =>
    `${v.claimId} (${claimSource}): ${v.statement}\n  ${v.verdict}: ${v.reason}`)];
}

/**
 * --format md: the README's claims table from the verdicts.json each directory already holds
 * (as the last `verify` wrote it). Evaluates nothing and writes nothing, so the table shows
 * exactly the committed verdicts.
 */
async function printClaimsTable(args: VerifyArgs, io: Output): Promise<number> {
  if (args.claim !== undefined) {
    throw new UsageError('invalid option', [{ path: '--claim', message: 'expected no --claim with --format md (it prints the saved verdicts), got one' }]);
  }
  const saved = [];
  for (const dir of args.dirs) saved.push(await readSavedVerdicts(dir.replace(/\/+$/, '')));
  io.out(renderClaimsTable(saved));
  return EXIT.ok;
}

/** Exit 0 whatever the verdicts say; a directory that cannot be verified makes it 2 after the others are done. */
export async function verifyCommand(args: VerifyArgs, io: Output): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(args.format)) {
    throw new UsageError('invalid option', [{ path: '--format', message: `expected one of ${FORMATS.join(' | ')}, got ${JSON.stringify(args.format)}` }]);
  }
  if (args.format === 'md') return printClaimsTable(args, io);
  const override = args.claim !== undefined ? { block: await readClaimFile(args.claim), source: args.claim } : undefined;
  const results: VerifiedDir[] = [];
  const problems: Issue[] = [];
  const failed: string[] = [];
  for (const dir of args.dirs) {
    try {
      results.push(await verifyResultsDir(dir, override));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      problems.push(...(e.issues.length ? e.issues.map((i) => ({ path: `${dir}: ${i.path}`, message: i.message })) : [{ path: dir, message: e.message }]));
      failed.push(dir);
    }
  }
  if (args.format === 'json') {
    io.out(JSON.stringify(results.flatMap(({ dir, sweep, claimSource, verdicts }) => verdicts.map((v) => ({ dir, sweep, claimSource, ...v }))), null, 2));
  } else if (results.length) {
    for (const line of renderTable(results)) io.out(line);
    io.out(`\nwrote ${results.map((r) => r.files.join(', ')).join('; ')}`);
  }
  if (problems.length) {
    throw new UsageError(`cannot verify ${failed.join(', ')} (${failed.length} of ${args.dirs.length} results director${args.dirs.length === 1 ? 'y' : 'ies'})`, problems);
  }
  return EXIT.ok;
}

/** `batchlab verify <dir>...`: evaluates each results directory's claim, prints the verdicts, writes verdicts.csv/json. */
import { fmt } from '../../core/format-number.ts';
import { EXIT, UsageError, type Issue } from '../../errors.ts';
import { renderPlainTable } from '../../report/text-table.ts';
import { renderClaimsTable } from '../../report/claims-table.ts';
import { intervalLabel, seedsCell } from '../../report/verdict-cells.ts';
import { readClaimFile, readSavedVerdicts, verifyResultsDir, type VerifiedDir } from '../../results/verdicts.ts';
import { FAMILY_SCOPES, adjustFamily, familyHeader, familySize, labelAfterFamily, type FamilyScope } from '../../core/claims/family.ts';
import { describeProvenance } from '../../core/provenance.ts';
import type { VerifyArgs } from '../command-options.ts';
import type { Output } from '../output.ts';

const FORMATS = ['table', 'json', 'md'] as const;

const dash = (x: number) => (Number.isNaN(x) ? '—' : fmt(x));

function renderTable(results: readonly VerifiedDir[], scope: FamilyScope): string[] {
  const adjusted = adjustFamily(results.map((r) => r.verdicts), scope);
  const flat = results.flatMap(({ verdicts, dir, claimSource, provenance }, g) =>
    verdicts.map((verdict, i) => ({ verdict, dir, claimSource, provenance, pAdj: adjusted[g]![i]! })));
  const rows = flat.map(({ verdict: v, dir, pAdj, provenance }) => [
    v.claimId, v.kind, v.statistic, fmt(v.estimate),
    v.interval === 'exact' ? `identical in all ${v.n} seeds` : `${intervalLabel(v)} [${fmt(v.lo)}, ${fmt(v.hi)}]`,
    seedsCell(v), dash(v.mde), `${dash(v.p)} (${dash(pAdj)})`, v.expect, labelAfterFamily(v, pAdj), dir,
    describeProvenance(provenance),
  ]);
  const pColumn = familyHeader(scope, familySize(results.map((r) => r.verdicts)));
  const table = renderPlainTable(['claim', 'test', 'statistic', 'estimate', 'interval', 'n', 'MDE', pColumn, 'expect', 'verdict', 'results', 'code'], rows);
  return [table, '', ...flat.map(({ verdict: v, claimSource }) =>
    `${v.claimId} (${claimSource}): ${v.statement}\n  ${v.verdict}: ${v.reason}`)];
}

function familyScope(args: VerifyArgs): FamilyScope {
  const scope = args.family ?? 'all';
  if (!(FAMILY_SCOPES as readonly string[]).includes(scope)) {
    throw new UsageError('invalid option', [{ path: '--family', message: `expected one of ${FAMILY_SCOPES.join(' | ')}, got ${JSON.stringify(scope)}` }]);
  }
  return scope as FamilyScope;
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
  io.out(renderClaimsTable(saved, familyScope(args)));
  return EXIT.ok;
}

/** Exit 0 whatever the verdicts say; a directory that cannot be verified makes it 2 after the others are done. */
export async function verifyCommand(args: VerifyArgs, io: Output): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(args.format)) {
    throw new UsageError('invalid option', [{ path: '--format', message: `expected one of ${FORMATS.join(' | ')}, got ${JSON.stringify(args.format)}` }]);
  }
  const scope = familyScope(args);
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
    const adjusted = adjustFamily(results.map((r) => r.verdicts), scope);
    const family = { method: 'holm', scope, tests: familySize(results.map((r) => r.verdicts)) };
    io.out(JSON.stringify(results.flatMap(({ dir, sweep, claimSource, verdicts, provenance }, g) =>
      verdicts.map((v, i) => ({ dir, sweep, claimSource, ...v, pFamily: adjusted[g]![i]!, family, provenance }))), null, 2));
  } else if (results.length) {
    for (const line of renderTable(results, scope)) io.out(line);
    io.out(`\nwrote ${results.map((r) => r.files.join(', ')).join('; ')}`);
  }
  if (problems.length) {
    throw new UsageError(`cannot verify ${failed.join(', ')} (${failed.length} of ${args.dirs.length} results director${args.dirs.length === 1 ? 'y' : 'ies'})`, problems);
  }
  return EXIT.ok;
}

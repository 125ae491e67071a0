/**
 * The I/O shell around claim evaluation: reads a results directory (sweep.json's claim,
 * summary.csv, curve.csv when the metric needs it), evaluates the claim, and writes
 * verdicts.csv and verdicts.json beside the results.
 */
import { validateClaim } from '../config/claim-schema.ts';
import { parseYamlLimited } from '../config/read-yaml.ts';
import { suggestKey } from '../config/format-issues.ts';
import { adjustForMultipleClaims, claimColumns, evaluateClaim } from '../core/claims/evaluate.ts';
import { metricNeedsCurve } from '../core/claims/metric.ts';
import type { Claim, ClaimRun, Verdict } from '../core/claims/types.ts';
import { UsageError, type Issue } from '../errors.ts';
import { parseCsvNumber, type CsvTable } from './csv.ts';
import { readRunJson, readSummary, readSweepJson, readText, readVerdictsJson, runDirOf, writeVerdictFiles } from './layout.ts';
import { readCurveTable } from './curve-files.ts';
import { describeProvenance, summarizeProvenance, type Provenance } from '../core/provenance.ts';

export const VERDICT_COLUMNS = [
  'claim_id', 'kind', 'metric', 'statistic', 'estimate', 'ci_lo', 'ci_hi', 'ci_level', 'interval', 'n_seeds',
  'expect', 'verdict', 'reason', 'statement', 'min_seeds', 'p_value', 'p_holm', 'mde', 'tree',
] as const;

export interface VerifiedDir {
  dir: string;
  sweep: string;
  /** Where the claim came from: 'sweep.json' or the --claim file. */
  claimSource: string;
  /** The claims evaluated (a spec's `claim:` may hold one block or a list), and their verdicts in order. */
  claims: Claim[];
  verdicts: Verdict[];
  /** Files written: verdicts.csv, verdicts.json. */
  files: string[];
  /** The commits and tree state the runs recorded. */
  provenance: Provenance;
}

/**
 * A claim file: YAML/JSON holding either a bare claim block or a spec with a `claim:` key.
 * Returns the unvalidated block.
 */
export async function readClaimFile(file: string): Promise<unknown> {
  const parsed = parseYamlLimited(await readText(file, 'claim file'));
  if (!parsed.ok) throw new UsageError(`${file}: not valid YAML/JSON (${parsed.why})`, [{ path: file, message: `not valid YAML/JSON (${parsed.why})` }]);
  const doc = parsed.value;
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'claim' in doc) return (doc as { claim: unknown }).claim;
  return doc;
}

function invalid(where: string, issues: Issue[]): never {
  throw new UsageError(`invalid claim in ${where}`, issues);
}

/** Every column the claim names must exist in summary.csv; unknown ones get a "did you mean". */
function checkColumns(claim: Claim, columns: readonly string[], where: string): void {
  const issues = claimColumns(claim)
    .filter(({ column }) => !columns.includes(column))
    .map(({ path, column }) => {
      const hint = suggestKey(column, columns);
      return { path, message: `expected a column of summary.csv${hint ? ` (did you mean '${hint}'?)` : ''}, got ${JSON.stringify(column)}` };
    });
  if (issues.length) invalid(where, issues);
}

/** A run's curve, every column as numbers; empty for a run that failed before its first row. */
async function readCurve(runDir: string): Promise<Record<string, number>[]> {
  const table = await readCurveTable(runDir);
  if (!table) return [];
  return table.rows.map((r) => Object.fromEntries(table.columns.map((c) => [c, parseCsvNumber(r.values[c]!, table.file, r.line, c)])));
}

/** summary.csv rows as the evaluator's runs, with curves attached when the metric reads them. */
async function readRuns(dir: string, summary: CsvTable, claim: Claim, where: string): Promise<ClaimRun[]> {
  checkColumns(claim, summary.columns, where);
  if (!metricNeedsCurve(claim.metric)) return summary.rows.map((r) => ({ values: r.values }));
  const runs = await Promise.all(summary.rows.map(async (r) => ({
    values: r.values,
    curve: await readCurve(runDirOf(dir, r.values.run_id ?? '')),
  })));
  const column = claim.metric.column ?? 'test_acc';
  if (runs.some((r) => r.curve.length) && !runs.some((r) => r.curve.some((row) => column in row))) {
    invalid(where, [{ path: 'claim.metric.column', message: `expected a column of curve.csv, got ${JSON.stringify(column)}` }]);
  }
  return runs;
}

/** sweep.json's name and its spec's claim block (undefined when the spec has none). */
function sweepClaim(dir: string, raw: unknown): { sweep: string; claim: unknown } {
  const obj = (raw && typeof raw === 'object' ? raw : {}) as { name?: unknown; spec?: { claim?: unknown } | null };
  return { sweep: typeof obj.name === 'string' ? obj.name : dir, claim: obj.spec?.claim };
}

/** verdicts.csv's rows: one per verdict, by VERDICT_COLUMNS. */
function verdictRows(verdicts: readonly Verdict[], tree: string) {
  return verdicts.map((v) => ({
    tree,
    claim_id: v.claimId, kind: v.kind, metric: v.metric, statistic: v.statistic, estimate: v.estimate,
    ci_lo: v.lo, ci_hi: v.hi, ci_level: v.level, interval: v.interval, n_seeds: v.n, expect: v.expect,
    verdict: v.verdict, reason: v.reason, statement: v.statement, min_seeds: v.minSeeds, p_value: v.p, p_holm: v.pHolm, mde: v.mde,
  }));
}

/**
 * Verifies one results directory: its claim is `claimBlock` when given (from --claim, which
 * takes precedence), else sweep.json's spec.claim; a directory with neither is a UsageError.
 * Writes verdicts.csv and verdicts.json into the directory.
 */
export async function verifyResultsDir(dir: string, override?: { block: unknown; source: string }): Promise<VerifiedDir> {
  const { sweep, source, claims, verdicts, summary, sweepJson } = await evaluateDir(dir, override);
  const provenance = await readProvenance(dir, summary, sweepJson);
  // JSON has no NaN: missing bounds are written as null.
  const files = await writeVerdictFiles(dir, VERDICT_COLUMNS, verdictRows(verdicts, describeProvenance(provenance)), {
    sweep, claimSource: source, claims, verdicts, provenance,
  });
  return { dir, sweep, claimSource: source, claims, verdicts, files, provenance };
}

/** The claims of `dir` (or `override`) evaluated on its runs, with Holm over them; writes nothing. */
export async function evaluateResultsDir(
  dir: string, override?: { block: unknown; source: string },
): Promise<{ sweep: string; source: string; claims: Claim[]; verdicts: Verdict[] }> {
  const { sweep, source, claims, verdicts } = await evaluateDir(dir, override);
  return { sweep, source, claims, verdicts };
}

/** evaluateResultsDir, also giving what it read (sweep.json's content, summary.csv), each read once. */
async function evaluateDir(dir: string, override?: { block: unknown; source: string }) {
  const { raw: sweepJson } = await readSweepJson(dir);
  const { sweep, claim: own } = sweepClaim(dir, sweepJson);
  const block = override?.block ?? own;
  const source = override ? override.source : 'sweep.json';
  if (block === undefined || block === null) {
    throw new UsageError(`${dir}: the sweep's spec has no claim: block`, [
      { path: 'sweep.json spec.claim', message: 'expected a claim block, got nothing (add claim: to the spec, or pass --claim <file>)' },
    ]);
  }
  const where = `${source}${override ? '' : ` of ${dir}`}`;
  const blocks = Array.isArray(block) ? block : [block];
  let summary: CsvTable | undefined; // read once, after the first claim is valid
  const claims: Claim[] = [];
  const single: Verdict[] = [];
  for (const [i, one] of blocks.entries()) {
    const at = blocks.length > 1 ? `${where} (claim ${i + 1} of ${blocks.length})` : where;
    const validation = validateClaim(one);
    if (!validation.ok) invalid(at, validation.issues);
    const claim = validation.claim;
    summary ??= await readSummary(dir);
    const runs = await readRuns(dir, summary, claim, at);
    try {
      single.push(evaluateClaim(claim, runs));
    } catch (e) {
      if (e instanceof UsageError) invalid(at, e.issues.length ? e.issues : [{ path: 'claim', message: e.message }]);
      throw e;
    }
    claims.push(claim);
  }
  return { sweep, source, claims, verdicts: adjustForMultipleClaims(single), summary: summary ?? await readSummary(dir), sweepJson };
}

/** The tree state every run of `dir` (summary.csv's) recorded in run.json; the sweep's own (sweep.json's) when it has no runs. */
async function readProvenance(dir: string, summary: CsvTable, sweepJson: unknown): Promise<Provenance> {
  const envs = await Promise.all(summary.rows.map(async (r) => {
    const record = await readRunJson(runDirOf(dir, r.values.run_id ?? ''));
    const env = record?.environment;
    return env && typeof env === 'object' ? (env as Record<string, unknown>) : undefined;
  }));
  if (envs.length) return summarizeProvenance(envs);
  const env = (sweepJson as { environment?: unknown } | null)?.environment;
  return summarizeProvenance([env && typeof env === 'object' ? (env as Record<string, unknown>) : undefined]);
}

export interface SavedVerdicts {
  dir: string;
  sweep: string;
  claims: Claim[];
  verdicts: Verdict[];
  /** Absent in verdicts.json written before provenance was recorded. */
  provenance?: Provenance;
}

/**
 * Reads the verdicts.json that `verify` wrote in `dir` (null bounds back to NaN). Files
 * written before a field existed simply lack it; renderers show a dash.
 */
export async function readSavedVerdicts(dir: string): Promise<SavedVerdicts> {
  const { file, raw: parsed } = await readVerdictsJson(dir, 'verdicts.json (run batchlab verify on it first)');
  const raw = (parsed ?? {}) as { sweep?: unknown; claims?: unknown; verdicts?: unknown; provenance?: unknown };
  if (!Array.isArray(raw.verdicts)) throw new UsageError(`${file}: no verdicts`, [{ path: `${file} verdicts`, message: 'expected a list of verdicts' }]);
  const nan = (x: unknown) => (x === null ? NaN : x);
  const verdicts = (raw.verdicts as Record<string, unknown>[]).map((v) => ({
    ...v, estimate: nan(v.estimate), lo: nan(v.lo), hi: nan(v.hi),
    ...('p' in v ? { p: nan(v.p), pHolm: nan(v.pHolm), mde: nan(v.mde) } : {}),
  })) as unknown as Verdict[];
  const provenance = raw.provenance && typeof raw.provenance === 'object' ? { provenance: raw.provenance as Provenance } : {};
  return { dir, sweep: typeof raw.sweep === 'string' ? raw.sweep : dir, claims: Array.isArray(raw.claims) ? raw.claims as Claim[] : [], verdicts, ...provenance };
}

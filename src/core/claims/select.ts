/**
 * Which runs a claim looks at: selector matching, the status rule (what a diverged or failed
 * run contributes), and cells keyed by seed, with ambiguous selectors reported as UsageErrors.
 */
import { UsageError } from '../../errors.ts';
import { metricValue } from './metric.ts';
import type { ClaimRun, MetricSpec, Selector } from './types.ts';

/** A run's contribution: a number (Infinity = target never reached), or why it has none. */
export type RunValue = number | 'diverged' | 'missing';

/**
 * The status rule. failed/aborted runs carry no information: 'missing'. A diverged run keeps
 * its metric when finite, else takes metric.diverged when given, else is 'diverged' (which
 * paired statistics treat as missing data and LR tuning treats as the worst value).
 * A completed run's Infinity (target never reached) is kept; its NaN is 'missing'.
 */
export function runValue(run: ClaimRun, metric: MetricSpec): RunValue {
  const status = run.values.status;
  if (status !== 'completed' && status !== 'diverged') return 'missing';
  const v = metricValue(run, metric);
  if (Number.isFinite(v)) return v;
  if (status === 'diverged') return metric.diverged ?? 'diverged';
  return Number.isNaN(v) ? 'missing' : v;
}

function canonical(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** Cell text equals the wanted value as text, numerically, or as the same JSON (axis lists). */
export function valueMatches(cell: string | undefined, want: unknown): boolean {
  if (cell === undefined) return false;
  const w = canonical(want);
  if (cell === w) return true;
  const a = Number(cell);
  const b = Number(w);
  if (cell.trim() !== '' && w.trim() !== '' && Number.isFinite(a) && Number.isFinite(b)) return a === b;
  if (/^[[{]/.test(cell)) {
    try {
      return JSON.stringify(JSON.parse(cell)) === JSON.stringify(typeof want === 'string' ? JSON.parse(want) : want);
    } catch {
      return false;
    }
  }
  return false;
}

export function matches(run: ClaimRun, selector: Selector): boolean {
  return Object.entries(selector).every(([column, want]) => valueMatches(run.values[column], want));
}

/** 'model.norm=batch, batch_size=2'; '(all runs)' for an empty selector. */
export function describeSelector(selector: Selector): string {
  const parts = Object.entries(selector).map(([k, v]) => `${k}=${canonical(v)}`);
  return parts.length ? parts.join(', ') : '(all runs)';
}

/** Config columns two runs of one cell may differ in; used to say how to make a selector unique. */
const CONFIG_COLUMNS = ['batch_size', 'base_lr', 'lr', 'scaling_rule'];

function differingColumns(runs: readonly ClaimRun[]): string[] {
  const columns = [...CONFIG_COLUMNS, ...Object.keys(runs[0]?.values ?? {}).filter((c) => c.includes('.'))];
  return columns.filter((c) => new Set(runs.map((r) => r.values[c])).size > 1);
}

/** Throws a UsageError at `path` saying which columns tell the runs apart. */
export function ambiguous(path: string, where: string, runs: readonly ClaimRun[]): never {
  const cols = differingColumns(runs);
  const how = cols.length
    ? `that differ in ${cols.map((c) => `${c} (${[...new Set(runs.map((r) => r.values[c]))].join(' | ')})`).join(', ')}; add ${cols.length > 1 ? 'one of these columns' : 'it'} to ${path === 'claim.test' ? 'claim.test.where (or tune over it)' : 'the selector'}`
    : `(run ids ${runs.map((r) => r.values.run_id).join(', ')}) with the same configuration`;
  const message = `expected one run per seed, got ${runs.length} for ${where} ${how}`;
  throw new UsageError(`claim: ${path}: ${message}`, [{ path, message }]);
}

/** Drops repeated run ids (a merged directory may list a run twice); keeps the first. */
export function uniqueRuns(runs: readonly ClaimRun[]): ClaimRun[] {
  const seen = new Set<string>();
  return runs.filter((r) => {
    const id = r.values.run_id ?? '';
    if (id && seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** seed (as text) -> the single run of `runs` with that seed; several for one seed is a UsageError at `path`. */
export function bySeed(runs: readonly ClaimRun[], path: string, where: string): Map<string, ClaimRun> {
  const out = new Map<string, ClaimRun>();
  const groups = new Map<string, ClaimRun[]>();
  for (const r of runs) {
    const seed = r.values.seed ?? '';
    groups.set(seed, [...(groups.get(seed) ?? []), r]);
  }
  for (const [seed, rs] of groups) {
    if (rs.length > 1) ambiguous(path, `${where}, seed ${seed}`, rs);
    out.set(seed, rs[0]!);
  }
  return out;
}

/** Seeds sorted numerically where they are numbers. */
export function sortSeeds(seeds: Iterable<string>): string[] {
  return [...seeds].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
}

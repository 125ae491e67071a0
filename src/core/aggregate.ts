/**
 * Summaries of result rows by key columns (e.g. batch_size x scaling over seeds), tables of
 * those summaries, and cell-by-cell comparison of two sets of them.
 */

import { UsageError } from '../errors.ts';
import { meanCi } from './stats/index.ts';

/** A result row as read from CSV or built in memory: column -> value. */
export type Row = Readonly<Record<string, string | number>>;
export type KeyValue = string | number;

export interface Group {
  /** The key columns' values shared by the group's rows. */
  keys: Record<string, KeyValue>;
  /** Rows with a finite metric value. */
  n: number;
  /** Rows whose metric is missing, empty or not finite (e.g. a diverged run's NaN loss). */
  nMissing: number;
  mean: number;
  /** Sample standard deviation; NaN when n < 2. */
  std: number;
  /** t-based 95% interval of the mean; NaN bounds when n < 2. */
  ci95: [number, number];
}

/**
 * Groups `rows` by the values of `keys` and summarises `metric` per group. Values are
 * compared as text, so 32 and '32' fall in one group. Groups come sorted by key values
 * (numerically where both values are numbers or numeric text). A row lacking a key column
 * is a UsageError; a row lacking the metric counts in nMissing.
 */
export function aggregateBy(rows: readonly Row[], keys: readonly string[], metric: string): Group[] {
  const groups = new Map<string, { keys: Record<string, KeyValue>; values: number[]; nMissing: number }>();
  rows.forEach((row, i) => {
    const keyValues: Record<string, KeyValue> = {};
    for (const key of keys) {
      const v = row[key];
      if (v === undefined) throw new UsageError('cannot aggregate results', [{ path: `rows[${i}].${key}`, message: 'missing key column' }]);
      keyValues[key] = v;
    }
    const id = groupId(keyValues, keys);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { keys: keyValues, values: [], nMissing: 0 }));
    const value = toNumber(row[metric]);
    if (Number.isFinite(value)) group.values.push(value);
    else group.nMissing++;
  });
  return [...groups.values()]
    .map(({ keys: k, values, nMissing }) => summarise(k, values, nMissing))
    .sort((a, b) => compareKeys(a.keys, b.keys, keys));
}

function summarise(keys: Record<string, KeyValue>, values: number[], nMissing: number): Group {
  if (values.length === 0) return { keys, n: 0, nMissing, mean: NaN, std: NaN, ci95: [NaN, NaN] };
  const ci = meanCi(values);
  return { keys, n: ci.n, nMissing, mean: ci.mean, std: ci.std, ci95: [ci.lo, ci.hi] };
}

function toNumber(v: string | number | undefined): number {
  if (typeof v === 'number') return v;
  if (v === undefined || v.trim() === '') return NaN;
  return Number(v);
}

function groupId(keyValues: Record<string, KeyValue>, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => String(keyValues[k])));
}

/** Numeric order when both values read as numbers, text order otherwise. */
export function compareKeyValues(a: KeyValue, b: KeyValue): number {
  const na = toNumber(a);
  const nb = toNumber(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareKeys(a: Record<string, KeyValue>, b: Record<string, KeyValue>, keys: readonly string[]): number {
  for (const k of keys) {
    const c = compareKeyValues(a[k], b[k]);
    if (c !== 0) return c;
  }
  return 0;
}

export interface Pivot {
  rowKey: string;
  colKey: string;
  /** Distinct values of rowKey / colKey, sorted as in aggregateBy. */
  rows: KeyValue[];
  cols: KeyValue[];
  /** cells[r][c]: the group at rows[r], cols[c], or undefined where none was measured. */
  cells: (Group | undefined)[][];
}

/**
 * Lays groups out as a table, rowKey down and colKey across. Groups must differ only in
 * those two keys: two groups in one cell are a UsageError (aggregate by exactly these keys).
 */
export function pivot(groups: readonly Group[], rowKey: string, colKey: string): Pivot {
  const distinct = (key: string): KeyValue[] => {
    const seen = new Map<string, KeyValue>();
    groups.forEach((g, i) => {
      const v = g.keys[key];
      if (v === undefined) throw new UsageError('cannot pivot groups', [{ path: `groups[${i}].keys.${key}`, message: 'missing key' }]);
      if (!seen.has(String(v))) seen.set(String(v), v);
    });
    return [...seen.values()].sort(compareKeyValues);
  };
  const rows = distinct(rowKey);
  const cols = distinct(colKey);
  const rowIndex = new Map(rows.map((v, i) => [String(v), i]));
  const colIndex = new Map(cols.map((v, i) => [String(v), i]));
  const cells: (Group | undefined)[][] = rows.map(() => cols.map(() => undefined));
  for (const g of groups) {
    const r = rowIndex.get(String(g.keys[rowKey]))!;
    const c = colIndex.get(String(g.keys[colKey]))!;
    if (cells[r][c] !== undefined) {
      throw new UsageError('cannot pivot groups', [
        { path: `${rowKey}=${rows[r]}, ${colKey}=${cols[c]}`, message: 'two groups fall in this cell; aggregate by exactly the row and column keys' },
      ]);
    }
    cells[r][c] = g;
  }
  return { rowKey, colKey, rows, cols, cells };
}

export interface CellComparison {
  keys: Record<string, KeyValue>;
  a: Group;
  b: Group;
  /** a.mean - b.mean. */
  diff: number;
  /**
   * True unless the two 95% intervals are disjoint. Unknown intervals (n < 2) count as
   * overlapping, so a cell without spread never reads as a clear difference.
   */
  overlap: boolean;
}

export interface GroupComparison {
  /** Cells present in both, in a's order. */
  cells: CellComparison[];
  onlyInA: Group[];
  onlyInB: Group[];
}

/** Matches groups of `a` and `b` by identical key values (compared as text) and compares their means. */
export function compareGroups(a: readonly Group[], b: readonly Group[]): GroupComparison {
  const idOf = (g: Group) => JSON.stringify(Object.keys(g.keys).sort().map((k) => [k, String(g.keys[k])]));
  const byId = new Map(b.map((g) => [idOf(g), g]));
  const matched = new Set<string>();
  const cells: CellComparison[] = [];
  const onlyInA: Group[] = [];
  for (const ga of a) {
    const id = idOf(ga);
    const gb = byId.get(id);
    if (!gb) {
      onlyInA.push(ga);
      continue;
    }
    matched.add(id);
    const disjoint = ga.ci95[1] < gb.ci95[0] || gb.ci95[1] < ga.ci95[0];
    cells.push({ keys: ga.keys, a: ga, b: gb, diff: ga.mean - gb.mean, overlap: !disjoint });
  }
  return { cells, onlyInA, onlyInB: b.filter((g) => !matched.has(idOf(g))) };
}

/**
 * `batchlab compare`: aggregates one summary metric over seeds for each cell of the `by` keys,
 * for one or more sweeps side by side, with differences against the first sweep. Pure.
 */
import { UsageError } from '../errors.ts';
import type { CsvRow } from '../results/csv.ts';
import { axisColumnsOf } from '../results/columns.ts';
import { aggregateBy, compareKeyValues } from '../core/aggregate.ts';
import { fmtSig } from '../core/format-number.ts';
import { renderCsvTable, renderMarkdownTable, renderPlainTable } from './text-table.ts';

export const COMPARE_FORMATS = ['table', 'md', 'csv', 'json'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

/** One sweep's summary rows; `file` names it in error messages (defaults to the label). */
export interface CompareInput {
  label: string;
  file?: string;
  rows: CsvRow[];
}

export interface CompareOptions {
  /** A numeric summary.csv column. Default final_test_acc. */
  metric?: string;
  /** Grouping columns: the first gives the table rows, the rest its columns. Default batch_size, scaling_rule. */
  by?: string[];
  format?: CompareFormat;
  /** Report cells that got worse (vs the first input) by more than this, in the metric's unit. */
  failOnRegression?: number;
  /** Columns alignInputs left out, named in the output. */
  ignored?: IgnoredColumn[];
}

/** A cell's seeds: the metric over completed runs, plus how many runs did not complete. */
export interface CellStats {
  /** Completed runs. */
  n: number;
  mean: number;
  /** Sample standard deviation; NaN when n < 2. */
  std: number;
  /** 95% t-interval of the mean; NaN when n < 2. */
  ciLow: number;
  ciHigh: number;
  notCompleted: number;
}

/** One cell of one input compared against the same cell of the first input. */
export interface Cell {
  keys: Record<string, string>;
  label: string;
  baselineLabel: string;
  baseline: CellStats | null;
  value: CellStats | null;
  /** value.mean - baseline.mean; NaN when either side has no completed run. */
  diff: number;
  /** Both sides have n >= 2 and their 95% CIs do not overlap. */
  ciSeparated: boolean;
  /** Worse than the baseline by more than the tolerance, or no completed run where the baseline had some. */
  regression: boolean;
}

export interface CompareResult {
  text: string;
  regressions: Cell[];
}

/** A design column that not every input has, left out of the comparison. */
export interface IgnoredColumn {
  column: string;
  /** Labels of the inputs that have the column. */
  presentIn: string[];
  /** Labels of the inputs without it. */
  missingFrom: string[];
  /** Inputs split by the column because it varies inside them: original label -> the new labels. */
  split: Record<string, string[]>;
}

/** Inputs made comparable: the same design columns in every one, and what was left out. */
export interface AlignedInputs {
  inputs: CompareInput[];
  /** Design columns every input has. */
  common: string[];
  ignored: IgnoredColumn[];
}

export type Direction = 'higher' | 'lower';

/** Which way is better for a metric, by its name; null when the name does not say. */
export function metricDirection(metric: string): Direction | null {
  if (/gen_gap|loss|wall|_ms$|_s$/.test(metric) && !/per_s$/.test(metric)) return 'lower';
  if (/acc|per_s$/.test(metric)) return 'higher';
  return null;
}

/** Columns that identify a configuration: runs differing in any of these are not seeds of one cell. */
function configColumns(columns: string[]): string[] {
  const fixed = ['batch_size', 'base_lr', 'lr', 'scaling_rule', 'backend'];
  return [...fixed, ...axisColumnsOf(columns)];
}

/**
 * Columns that name a design choice (not a measurement): the fixed ones plus every column a
 * summary has that batchlab does not write itself (sweep axes such as model.norm, and arm).
 */
export function presentConfigColumns(columns: readonly string[]): string[] {
  return configColumns([...columns]).filter((c) => columns.includes(c));
}

/**
 * Makes inputs with different column sets comparable on the design columns they all have. A
 * design column missing from some input is ignored; where it varies inside an input that has it,
 * that input is split into one input per value (label `A[arm=x]`), so runs of different designs
 * are never pooled as seeds. Inputs with the same columns come back unchanged. Pure.
 */
export function alignInputs(inputs: readonly CompareInput[]): AlignedInputs {
  const columnsOf = (i: CompareInput) => (i.rows.length ? Object.keys(i.rows[0]!.values) : []);
  const labels = uniqueLabels(inputs.map((i) => i.label));
  const design = inputs.map((i) => presentConfigColumns(columnsOf(i)));
  const common = design.length ? design[0]!.filter((c) => design.every((d) => d.includes(c))) : [];
  const extra = [...new Set(design.flat())].filter((c) => !common.includes(c));
  const ignored: IgnoredColumn[] = extra.map((column) => ({
    column,
    presentIn: labels.filter((_, i) => design[i]!.includes(column)),
    missingFrom: labels.filter((_, i) => !design[i]!.includes(column)),
    split: {},
  }));
  const out: CompareInput[] = [];
  inputs.forEach((input, i) => {
    // Split by every ignored column that varies inside this input, in column order.
    let parts: CompareInput[] = [{ ...input, label: labels[i]! }];
    for (const ig of ignored) {
      if (!design[i]!.includes(ig.column)) continue;
      const next: CompareInput[] = [];
      for (const part of parts) {
        const values = [...new Set(part.rows.map((r) => r.values[ig.column] ?? ''))].sort(compareKeyValues);
        if (values.length < 2) { next.push(part); continue; }
        for (const v of values) next.push({ ...part, label: `${part.label}[${ig.column}=${v}]`, rows: part.rows.filter((r) => (r.values[ig.column] ?? '') === v) });
      }
      if (next.length > parts.length) ig.split[labels[i]!] = next.map((p) => p.label);
      parts = next;
    }
    out.push(...parts);
  });
  return { inputs: out, common, ignored };
}

/** One sentence per ignored column, for the table output and stderr. */
export function describeIgnored(ignored: readonly IgnoredColumn[]): string[] {
  return ignored.map((ig) => {
    const splits = Object.entries(ig.split).map(([label, parts]) => `; ${label} split by it into ${parts.join(', ')}`).join('');
    return `ignored column ${ig.column}: only in ${ig.presentIn.join(', ')} (not in ${ig.missingFrom.join(', ')})${splits}`;
  });
}

const numericOrder = (a: string, b: string) => compareKeyValues(a, b);

const KEY_SEP = '\u0000';

interface Grouped {
  cells: Map<string, CellStats>;
}

function groupInput(input: CompareInput, metric: string, by: string[]): Grouped {
  const file = input.file ?? input.label;
  const bad = (line: number, message: string): never => {
    throw new UsageError(`${file}:${line}: ${message}`, [{ path: `${file}:${line}`, message }]);
  };
  if (input.rows.length === 0) bad(1, 'no runs in this summary');
  const columns = Object.keys(input.rows[0]!.values);
  const missing = [metric, ...by, 'status'].filter((c) => !columns.includes(c));
  if (missing.length) bad(1, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const identity = configColumns(columns).filter((c) => columns.includes(c) && !by.includes(c));
  const groups = new Map<string, { rows: CsvRow[]; notCompleted: number }>();
  const completed: CsvRow[] = [];
  for (const row of input.rows) {
    const key = by.map((b) => row.values[b]).join(KEY_SEP);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rows: [], notCompleted: 0 }));
    g.rows.push(row);
    if (row.values.status !== 'completed') {
      g.notCompleted++;
      continue;
    }
    const raw = row.values[metric]!.trim();
    if (raw === '' || !Number.isFinite(Number(raw))) {
      bad(row.line, `column ${metric}: expected a finite number for a completed run, got ${JSON.stringify(raw)}` +
        (raw === '' && /acc/.test(metric) ? ' (a regression sweep has no accuracy; try --metric final_test_loss)' : ''));
    }
    completed.push(row);
  }
  for (const [key, g] of groups) {
    const varying = identity.filter((c) => new Set(g.rows.map((r) => r.values[c])).size > 1);
    if (varying.length) {
      // lr follows from base_lr, batch size and rule; suggest the column the user swept.
      const suggest = varying.includes('base_lr') ? varying.filter((c) => c !== 'lr') : varying;
      const where = by.map((b, i) => `${b}=${key.split(KEY_SEP)[i]}`).join(', ');
      const first = g.rows[0]!.values;
      const odd = g.rows.find((r) => varying.some((c) => r.values[c] !== first[c]))!;
      bad(odd.line, `runs in the cell ${where} differ in ${varying.join(', ')}, so they are not seeds of one configuration; add ${suggest.join(', ')} to --by`);
    }
  }
  const cells = new Map<string, CellStats>();
  for (const [key, g] of groups) cells.set(key, { n: 0, mean: NaN, std: NaN, ciLow: NaN, ciHigh: NaN, notCompleted: g.notCompleted });
  for (const a of aggregateBy(completed.map((r) => r.values), by, metric)) {
    const key = by.map((b) => String(a.keys[b])).join(KEY_SEP);
    cells.set(key, { n: a.n, mean: a.mean, std: a.std, ciLow: a.ci95[0], ciHigh: a.ci95[1], notCompleted: groups.get(key)!.notCompleted });
  }
  return { cells };
}

const signed = (x: number) => (Number.isFinite(x) ? (x > 0 ? '+' : x < 0 ? '−' : '') + fmtSig(Math.abs(x), 3) : '—');

function fmtStats(s: CellStats | null): string {
  if (!s) return '—';
  const skipped = s.notCompleted ? ` +${s.notCompleted} not completed` : '';
  if (s.n === 0) return `— n=0${skipped}`;
  const half = (s.ciHigh - s.ciLow) / 2;
  return `${fmtSig(s.mean)}${Number.isFinite(half) ? ` ± ${fmtSig(half, 2)}` : ''} n=${s.n}${skipped}`;
}

/** Aggregates and renders; throws UsageError for malformed or mismatched inputs. */
export function compareResults(inputs: CompareInput[], opts: CompareOptions = {}): CompareResult {
  const metric = opts.metric ?? 'final_test_acc';
  const by = opts.by && opts.by.length ? opts.by : ['batch_size', 'scaling_rule'];
  const format = opts.format ?? 'table';
  const tol = opts.failOnRegression;
  const ignored = opts.ignored ?? [];
  const usage = (path: string, message: string): never => {
    throw new UsageError(`${path}: ${message}`, [{ path, message }]);
  };
  if (inputs.length === 0) usage('inputs', 'expected at least one results directory or summary.csv');
  if (!COMPARE_FORMATS.includes(format)) usage('format', `expected one of ${COMPARE_FORMATS.join(', ')}, got ${format}`);
  if (new Set(by).size !== by.length) usage('by', `repeated column in ${by.join(', ')}`);
  if (by.includes(metric)) usage('by', `the metric ${metric} cannot also be a grouping column`);
  const direction = metricDirection(metric);
  if (tol !== undefined) {
    if (!(tol >= 0 && Number.isFinite(tol))) usage('fail-on-regression', `expected a tolerance >= 0, got ${tol}`);
    if (inputs.length < 2) usage('fail-on-regression', 'needs at least two inputs to compare');
    if (!direction) usage('fail-on-regression', `cannot tell whether higher or lower ${metric} is better`);
  }
  const labels = uniqueLabels(inputs.map((i) => i.label));
  const grouped = inputs.map((i) => groupInput(i, metric, by));

  const allKeys = new Set<string>();
  for (const g of grouped) for (const k of g.cells.keys()) allKeys.add(k);
  const split = (k: string) => k.split(KEY_SEP);
  const rowKeys = [...new Set([...allKeys].map((k) => split(k)[0]!))].sort(numericOrder);
  const colKeys = [...new Set([...allKeys].map((k) => split(k).slice(1).join(KEY_SEP)))].sort((a, b) => {
    const [xa, xb] = [split(a), split(b)];
    for (let i = 0; i < xa.length; i++) { const c = numericOrder(xa[i]!, xb[i]!); if (c) return c; }
    return 0;
  });
  const keyOf = (r: string, c: string) => (by.length > 1 ? `${r}${KEY_SEP}${c}` : r);
  const keysRecord = (key: string) => Object.fromEntries(by.map((b, i) => [b, split(key)[i]!]));

  const cellsFor = (key: string): Cell[] => {
    const base = grouped[0]!.cells.get(key) ?? null;
    return grouped.slice(1).map((g, j) => {
      const value = g.cells.get(key) ?? null;
      const diff = base && value && base.n && value.n ? value.mean - base.mean : NaN;
      const ciSeparated = !!(base && value && base.n >= 2 && value.n >= 2 && (base.ciHigh < value.ciLow || value.ciHigh < base.ciLow));
      let regression = false;
      if (tol !== undefined && base && base.n > 0) {
        if (!value || value.n === 0) regression = true;
        else regression = direction === 'higher' ? diff < -tol : diff > tol;
      }
      return { keys: keysRecord(key), label: labels[j + 1]!, baselineLabel: labels[0]!, baseline: base, value, diff, ciSeparated, regression };
    });
  };
  const orderedKeys = rowKeys.flatMap((r) => colKeys.map((c) => keyOf(r, c))).filter((k) => allKeys.has(k));
  const comparisons = new Map(orderedKeys.map((k) => [k, cellsFor(k)]));
  const regressions = [...comparisons.values()].flat().filter((c) => c.regression);

  const dirText = direction ? `${direction} is better` : 'direction unknown';
  let text: string;
  if (format === 'json') {
    text = JSON.stringify({
      metric, direction, by, labels, tolerance: tol ?? null,
      ignoredColumns: ignored.map((ig) => ({ column: ig.column, presentIn: ig.presentIn, missingFrom: ig.missingFrom, split: ig.split })),
      cells: orderedKeys.map((k) => ({
        keys: keysRecord(k),
        values: grouped.map((g, i) => ({ label: labels[i], ...(g.cells.get(k) ?? { n: 0 }) })),
        diffs: comparisons.get(k)!.map((c) => ({ label: c.label, diff: c.diff, ciSeparated: c.ciSeparated, regression: c.regression })),
      })),
      regressions: regressions.map((c) => ({ keys: c.keys, label: c.label, diff: c.diff })),
    }, null, 2) + '\n';
  } else if (format === 'csv') {
    const header = [...by, 'label', 'n', 'not_completed', 'mean', 'std', 'ci_low', 'ci_high', 'diff_vs_first', 'ci_separated', 'regression'];
    const num = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? String(x) : '');
    const rows = orderedKeys.flatMap((k) => grouped.map((g, i) => {
      const s = g.cells.get(k);
      const c = i > 0 ? comparisons.get(k)![i - 1] : undefined;
      return [...split(k), labels[i]!, String(s?.n ?? 0), String(s?.notCompleted ?? 0), num(s?.mean), num(s?.std), num(s?.ciLow), num(s?.ciHigh),
        num(c?.diff), c ? String(c.ciSeparated) : '', c ? String(c.regression) : ''];
    }));
    text = renderCsvTable(header, rows);
  } else {
    const colTitle = (c: string) => (by.length === 1 ? metric : split(c).join(' '));
    const header = [by[0]!];
    for (const c of colKeys) {
      for (const l of labels) header.push(labels.length > 1 ? `${colTitle(c)} ${l}` : colTitle(c));
      for (const l of labels.slice(1)) header.push(`${colTitle(c)} Δ ${l}−${labels[0]}`);
    }
    const rows = rowKeys.map((r) => {
      const out = [r];
      for (const c of colKeys) {
        const k = keyOf(r, c);
        for (const g of grouped) out.push(fmtStats(g.cells.get(k) ?? null));
        for (const cell of comparisons.get(k) ?? labels.slice(1).map(() => undefined)) {
          out.push(cell ? `${signed(cell.diff)}${cell.ciSeparated ? ' *' : ''}${cell.regression ? ' !' : ''}` : '—');
        }
      }
      return out;
    });
    const intro = `${metric} (${dirText}): mean ± 95% t-CI half-width over seeds, n = completed runs; rows ${by[0]}` +
      (by.length > 1 ? `, columns ${by.slice(1).join(' × ')}` : '');
    const notes = labels.length > 1 ? ['Δ = later sweep minus the first; * = the 95% CIs do not overlap; ! = regression beyond the tolerance.'] : [];
    notes.push(...describeIgnored(ignored).map((l) => `${l[0]!.toUpperCase()}${l.slice(1)}.`));
    if (tol !== undefined) {
      notes.push(regressions.length
        ? `${regressions.length} regression${regressions.length > 1 ? 's' : ''} (worse by more than ${tol}): ` +
          regressions.map((c) => `${Object.entries(c.keys).map(([k, v]) => `${k}=${v}`).join(' ')} [${c.label}] ${signed(c.diff)}`).join('; ')
        : `no regressions beyond ${tol}.`);
    }
    const table = format === 'md' ? renderMarkdownTable(header, rows) : renderPlainTable(header, rows);
    text = [intro, '', table, ...(notes.length ? ['', ...notes] : [])].join('\n') + '\n';
  }
  return { text, regressions };
}

/** Labels must tell inputs apart: repeated ones get #2, #3, ... */
function uniqueLabels(labels: string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n > 1 ? `${l}#${n}` : l;
  });
}


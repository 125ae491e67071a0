/** The renderers of `batchlab compare`: JSON, CSV (long format), and the plain or markdown table. Pure. */
import { fmtSig } from '../../core/format-number.ts';
import { renderCsvTable, renderMarkdownTable, renderPlainTable } from '../text-table.ts';
import { describeIgnored } from './align.ts';
import { KEY_SEP, type CellStats, type ComparedCells } from './types.ts';

const splitKey = (key: string) => key.split(KEY_SEP);
const keysRecord = (c: ComparedCells, key: string) => Object.fromEntries(c.by.map((b, i) => [b, splitKey(key)[i]!]));
const signed = (x: number) => (Number.isFinite(x) ? (x > 0 ? '+' : x < 0 ? '−' : '') + fmtSig(Math.abs(x), 3) : '—');

function fmtStats(s: CellStats | null): string {
  if (!s) return '—';
  const skipped = s.notCompleted ? ` +${s.notCompleted} not completed` : '';
  if (s.n === 0) return `— n=0${skipped}`;
  const half = (s.ciHigh - s.ciLow) / 2;
  return `${fmtSig(s.mean)}${Number.isFinite(half) ? ` ± ${fmtSig(half, 2)}` : ''} n=${s.n}${skipped}`;
}

/** Every cell of every input, its differences and the regressions, as indented JSON. */
export function renderCompareJson(c: ComparedCells): string {
  return JSON.stringify({
    metric: c.metric, direction: c.direction, by: c.by, labels: c.labels, tolerance: c.tolerance ?? null,
    ignoredColumns: c.ignored.map((ig) => ({ column: ig.column, presentIn: ig.presentIn, missingFrom: ig.missingFrom, split: ig.split })),
    cells: c.orderedKeys.map((k) => ({
      keys: keysRecord(c, k),
      values: c.cells.map((cells, i) => ({ label: c.labels[i], ...(cells.get(k) ?? { n: 0 }) })),
      diffs: c.comparisons.get(k)!.map((d) => ({ label: d.label, diff: d.diff, ciSeparated: d.ciSeparated, regression: d.regression })),
    })),
    regressions: c.regressions.map((d) => ({ keys: d.keys, label: d.label, diff: d.diff })),
  }, null, 2) + '\n';
}

/** One CSV row per cell and input: the `by` values, the seeds' statistics and the difference to the first input. */
export function renderCompareCsv(c: ComparedCells): string {
  const header = [...c.by, 'label', 'n', 'not_completed', 'mean', 'std', 'ci_low', 'ci_high', 'diff_vs_first', 'ci_separated', 'regression'];
  const num = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? String(x) : '');
  const rows = c.orderedKeys.flatMap((k) => c.cells.map((cells, i) => {
    const s = cells.get(k);
    const d = i > 0 ? c.comparisons.get(k)![i - 1] : undefined;
    return [...splitKey(k), c.labels[i]!, String(s?.n ?? 0), String(s?.notCompleted ?? 0), num(s?.mean), num(s?.std), num(s?.ciLow), num(s?.ciHigh),
      num(d?.diff), d ? String(d.ciSeparated) : '', d ? String(d.regression) : ''];
  }));
  return renderCsvTable(header, rows);
}

/**
 * The table for people: rows by the first `by` column, columns by the rest, each input's mean ±
 * CI and the differences to the first input; then notes (ignored columns, regressions).
 */
export function renderCompareTable(c: ComparedCells, format: 'table' | 'md'): string {
  const { by, labels, metric, tolerance, regressions } = c;
  const keyOf = (r: string, col: string) => (by.length > 1 ? `${r}${KEY_SEP}${col}` : r);
  const colTitle = (col: string) => (by.length === 1 ? metric : splitKey(col).join(' '));
  const header = [by[0]!];
  for (const col of c.colKeys) {
    for (const l of labels) header.push(labels.length > 1 ? `${colTitle(col)} ${l}` : colTitle(col));
    for (const l of labels.slice(1)) header.push(`${colTitle(col)} Δ ${l}−${labels[0]}`);
  }
  const rows = c.rowKeys.map((r) => {
    const out = [r];
    for (const col of c.colKeys) {
      const k = keyOf(r, col);
      for (const cells of c.cells) out.push(fmtStats(cells.get(k) ?? null));
      for (const d of c.comparisons.get(k) ?? labels.slice(1).map(() => undefined)) {
        out.push(d ? `${signed(d.diff)}${d.ciSeparated ? ' *' : ''}${d.regression ? ' !' : ''}` : '—');
      }
    }
    return out;
  });
  const dirText = c.direction ? `${c.direction} is better` : 'direction unknown';
  const intro = `${metric} (${dirText}): mean ± 95% t-CI half-width over seeds, n = completed runs; rows ${by[0]}` +
    (by.length > 1 ? `, columns ${by.slice(1).join(' × ')}` : '');
  const notes = labels.length > 1 ? ['Δ = later sweep minus the first; * = the 95% CIs do not overlap; ! = regression beyond the tolerance.'] : [];
  notes.push(...describeIgnored(c.ignored).map((l) => `${l[0]!.toUpperCase()}${l.slice(1)}.`));
  if (tolerance !== undefined) {
    notes.push(regressions.length
      ? `${regressions.length} regression${regressions.length > 1 ? 's' : ''} (worse by more than ${tolerance}): ` +
        regressions.map((d) => `${Object.entries(d.keys).map(([k, v]) => `${k}=${v}`).join(' ')} [${d.label}] ${signed(d.diff)}`).join('; ')
      : `no regressions beyond ${tolerance}.`);
  }
  const table = format === 'md' ? renderMarkdownTable(header, rows) : renderPlainTable(header, rows);
  return [intro, '', table, ...(notes.length ? ['', ...notes] : [])].join('\n') + '\n';
}

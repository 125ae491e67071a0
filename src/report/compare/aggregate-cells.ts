/**
 * Aggregation of one compare input: its runs grouped into cells by the `by` columns, the metric
 * summarised over each cell's completed seeds. Pure; malformed inputs are UsageErrors at file:line.
 */
import { UsageError } from '../../errors.ts';
import type { CsvRow } from '../../results/csv.ts';
import { aggregateBy } from '../../core/aggregate.ts';
import { configColumns } from './align.ts';
import { KEY_SEP, type CellStats, type CompareInput } from './types.ts';

/**
 * The cells of `input`: cell key (the `by` values joined by KEY_SEP) -> the metric over its
 * completed runs. Throws UsageError when a column is missing, a completed run's metric is not a
 * number, or a cell's runs differ in a configuration column not in `by` (not seeds of one cell).
 */
export function aggregateCells(input: CompareInput, metric: string, by: readonly string[]): Map<string, CellStats> {
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
  return cells;
}

/**
 * `batchlab compare`: aggregates one summary metric over seeds for each cell of the `by` keys,
 * for one or more sweeps side by side, with differences against the first sweep. Pure. The parts:
 * align.ts (comparable inputs), aggregate-cells.ts (seeds per cell), direction.ts (better or
 * worse than the first), render.ts (json, csv, table, md).
 */
import { UsageError } from '../../errors.ts';
import { compareKeyValues } from '../../core/aggregate.ts';
import { uniqueLabels } from './align.ts';
import { aggregateCells } from './aggregate-cells.ts';
import { compareToBaseline, metricDirection } from './direction.ts';
import { renderCompareCsv, renderCompareJson, renderCompareTable } from './render.ts';
import { COMPARE_FORMATS, KEY_SEP, type CompareInput, type CompareOptions, type CompareResult, type ComparedCells } from './types.ts';

export { alignInputs, describeIgnored, presentConfigColumns } from './align.ts';
export { metricDirection } from './direction.ts';
export * from './types.ts';

/** Aggregates and renders; throws UsageError for malformed or mismatched inputs. */
export function compareResults(inputs: CompareInput[], opts: CompareOptions = {}): CompareResult {
  const metric = opts.metric ?? 'final_test_acc';
  const by = opts.by && opts.by.length ? opts.by : ['batch_size', 'scaling_rule'];
  const format = opts.format ?? 'table';
  const tolerance = opts.failOnRegression;
  const usage = (path: string, message: string): never => {
    throw new UsageError(`${path}: ${message}`, [{ path, message }]);
  };
  if (inputs.length === 0) usage('inputs', 'expected at least one results directory or summary.csv');
  if (!COMPARE_FORMATS.includes(format)) usage('format', `expected one of ${COMPARE_FORMATS.join(', ')}, got ${format}`);
  if (new Set(by).size !== by.length) usage('by', `repeated column in ${by.join(', ')}`);
  if (by.includes(metric)) usage('by', `the metric ${metric} cannot also be a grouping column`);
  const direction = metricDirection(metric);
  if (tolerance !== undefined) {
    if (!(tolerance >= 0 && Number.isFinite(tolerance))) usage('fail-on-regression', `expected a tolerance >= 0, got ${tolerance}`);
    if (inputs.length < 2) usage('fail-on-regression', 'needs at least two inputs to compare');
    if (!direction) usage('fail-on-regression', `cannot tell whether higher or lower ${metric} is better`);
  }
  const compared = compareCells(inputs, metric, by, direction, tolerance);
  const text = format === 'json' ? renderCompareJson({ ...compared, ignored: opts.ignored ?? [] })
    : format === 'csv' ? renderCompareCsv({ ...compared, ignored: opts.ignored ?? [] })
      : renderCompareTable({ ...compared, ignored: opts.ignored ?? [] }, format);
  return { text, regressions: compared.regressions };
}

/** Every input's cells, the later inputs against the first, and the keys in table order. */
function compareCells(
  inputs: CompareInput[], metric: string, by: string[], direction: ComparedCells['direction'], tolerance: number | undefined,
): Omit<ComparedCells, 'ignored'> {
  const labels = uniqueLabels(inputs.map((i) => i.label));
  const cells = inputs.map((i) => aggregateCells(i, metric, by));
  const allKeys = new Set<string>();
  for (const c of cells) for (const k of c.keys()) allKeys.add(k);
  const split = (k: string) => k.split(KEY_SEP);
  const rowKeys = [...new Set([...allKeys].map((k) => split(k)[0]!))].sort(compareKeyValues);
  const colKeys = [...new Set([...allKeys].map((k) => split(k).slice(1).join(KEY_SEP)))].sort((a, b) => {
    const [xa, xb] = [split(a), split(b)];
    for (let i = 0; i < xa.length; i++) { const c = compareKeyValues(xa[i]!, xb[i]!); if (c) return c; }
    return 0;
  });
  const keyOf = (r: string, c: string) => (by.length > 1 ? `${r}${KEY_SEP}${c}` : r);
  const orderedKeys = rowKeys.flatMap((r) => colKeys.map((c) => keyOf(r, c))).filter((k) => allKeys.has(k));
  const comparisons = new Map(orderedKeys.map((k) => {
    const keys = Object.fromEntries(by.map((b, i) => [b, split(k)[i]!]));
    return [k, compareToBaseline(keys, cells[0]!.get(k) ?? null, cells.slice(1).map((c) => c.get(k) ?? null), labels, direction, tolerance)];
  }));
  const regressions = [...comparisons.values()].flat().filter((c) => c.regression);
  return { metric, direction, by, labels, tolerance, cells, comparisons, rowKeys, colKeys, orderedKeys, regressions };
}

/** `batchlab compare <results-dir | summary.csv>...`: seeds aggregated, pivoted, sweeps side by side. */
import { alignInputs, compareResults, describeIgnored, type CompareInput } from '../../report/compare/compare.ts';
import { UsageError } from '../../errors.ts';
import { readCompareInput } from '../../results/read-results.ts';
import { axisColumnsOf } from '../../results/columns.ts';
import { EXIT } from '../../errors.ts';
import type { CompareArgs } from '../command-options.ts';
import type { Output } from '../output.ts';

/** Design columns that vary in the inputs besides batch size and rule; pooling over them would mix designs. */
export function defaultBy(inputs: readonly CompareInput[]): string[] {
  const candidates = new Set<string>(['base_lr']);
  for (const input of inputs) for (const row of input.rows) for (const k of axisColumnsOf(Object.keys(row.values))) candidates.add(k);
  const varying = [...candidates].filter((col) => {
    const values = new Set(inputs.flatMap((i) => i.rows.map((r) => r.values[col])));
    return values.size > 1;
  });
  return ['batch_size', 'scaling_rule', ...varying];
}

export async function compareCommand(args: CompareArgs, io: Output): Promise<number> {
  const read = await Promise.all(args.inputs.map(readCompareInput));
  // Sweeps with different design columns (one with arms or axes, one without) are compared on
  // the columns they share; the others are named, and split an input where they vary in it.
  const { inputs, ignored } = alignInputs(read);
  const by = args.by ? args.by.split(',').map((s) => s.trim()).filter(Boolean) : defaultBy(inputs).filter((c) => !ignored.some((ig) => ig.column === c));
  const dropped = by.filter((c) => ignored.some((ig) => ig.column === c));
  if (dropped.length) {
    throw new UsageError('invalid option', dropped.map((c) => {
      const ig = ignored.find((x) => x.column === c)!;
      return { path: '--by', message: `column ${c} is not in every input (missing from ${ig.missingFrom.join(', ')})` };
    }));
  }
  const result = compareResults(inputs, { metric: args.metric, by, format: args.format, failOnRegression: args.failOnRegression, ignored });
  io.out(result.text);
  // Table and md outputs say it in their notes, json in ignoredColumns; csv has no place for it.
  if (args.format === 'csv') for (const line of describeIgnored(ignored)) io.err(line);
  if (result.regressions.length) {
    io.err(`${result.regressions.length} cell(s) got worse by more than ${args.failOnRegression}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

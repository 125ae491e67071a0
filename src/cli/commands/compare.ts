/** `batchlab compare <results-dir | summary.csv>...`: seeds aggregated, pivoted, sweeps side by side. */
import type { Argv } from 'yargs';
import { COMPARE_FORMATS, compareResults, type CompareFormat, type CompareInput } from '../../report/compare.ts';
import { readCompareInput } from '../../results/read-results.ts';
import { SUMMARY_COLUMNS } from '../../results/columns.ts';
import { EXIT } from '../../errors.ts';
import type { Output } from '../output.ts';

export interface CompareArgs {
  inputs: string[];
  metric: string;
  by?: string;
  format: CompareFormat;
  failOnRegression?: number;
}

export function compareOptions<T>(y: Argv<T>) {
  return y
    .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'results directories or summary.csv files' })
    .option('metric', { type: 'string', default: 'final_test_acc', describe: 'summary column to aggregate over seeds' })
    .option('by', { type: 'string', describe: 'grouping columns, comma separated; first = table rows (default batch_size,scaling_rule plus base_lr and axis columns that vary)' })
    .option('format', { choices: COMPARE_FORMATS, default: 'table' as CompareFormat })
    .option('fail-on-regression', { type: 'number', describe: 'exit 1 when a cell got worse than the first input by more than this' });
}

/** Design columns that vary in the inputs besides batch size and rule; pooling over them would mix designs. */
export function defaultBy(inputs: readonly CompareInput[]): string[] {
  const fixed = new Set<string>(SUMMARY_COLUMNS);
  const candidates = new Set<string>(['base_lr']);
  for (const input of inputs) for (const row of input.rows) for (const k of Object.keys(row.values)) if (!fixed.has(k)) candidates.add(k);
  const varying = [...candidates].filter((col) => {
    const values = new Set(inputs.flatMap((i) => i.rows.map((r) => r.values[col])));
    return values.size > 1;
  });
  return ['batch_size', 'scaling_rule', ...varying];
}

export async function compareCommand(args: CompareArgs, io: Output): Promise<number> {
  const inputs = await Promise.all(args.inputs.map(readCompareInput));
  const by = args.by ? args.by.split(',').map((s) => s.trim()).filter(Boolean) : defaultBy(inputs);
  const result = compareResults(inputs, { metric: args.metric, by, format: args.format, failOnRegression: args.failOnRegression });
  io.out(result.text);
  if (result.regressions.length) {
    io.err(`${result.regressions.length} cell(s) got worse by more than ${args.failOnRegression}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

/** The shapes `batchlab compare` works on: its inputs, options, cells and result. */
import type { CsvRow } from '../../results/csv.ts';

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

/** Separates the `by` values inside a cell key. */
export const KEY_SEP = '\u0000';

/**
 * Every input aggregated and compared, ready to render: `cells[i]` maps a cell key (the `by`
 * values joined by KEY_SEP) to input i's seeds; `comparisons` maps it to the later inputs
 * against the first; `orderedKeys` lists the keys present, rows then columns in numeric order.
 */
export interface ComparedCells {
  metric: string;
  direction: Direction | null;
  by: string[];
  labels: string[];
  tolerance: number | undefined;
  ignored: IgnoredColumn[];
  cells: Map<string, CellStats>[];
  comparisons: Map<string, Cell[]>;
  rowKeys: string[];
  colKeys: string[];
  orderedKeys: string[];
  regressions: Cell[];
}

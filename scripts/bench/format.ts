/**
 * Numbers and the long-format CSV of the benchmark. Its tables are rendered by
 * src/report/text-table.ts, the same printer the report and `compare` use.
 */
import { renderCsvTable } from '../../src/report/text-table.ts';

/** `digits` decimals with thousands separators (12,345.6); '-' when missing or not finite. */
export function fmtFixed(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a != null && b != null && b > 0 ? a / b : null;
}

/** One measured number. Columns are snake_case; the unit is in `unit`. */
export interface CsvRow {
  section: string;
  backend: string;
  model: string;
  batch: number | '';
  method: string;
  metric: string;
  value: number;
  unit: string;
  note: string;
}

const COLUMNS: (keyof CsvRow)[] = ['section', 'backend', 'model', 'batch', 'method', 'metric', 'value', 'unit', 'note'];

export function renderCsv(rows: CsvRow[]): string {
  return renderCsvTable(COLUMNS, rows.map((r) => COLUMNS.map((c) => String(r[c]))));
}

/** Plain-text tables and the long-format CSV of the benchmark. */

/** Renders rows as a left-aligned first column and right-aligned others. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown version of the same table, for docs/PERFORMANCE.md. */
export function renderMarkdown(header: string[], rows: string[][]): string {
  const sep = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function fmt(x: number | null | undefined, digits = 0): string {
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

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function renderCsv(rows: CsvRow[]): string {
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

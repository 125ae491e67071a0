/** Plain-text, Markdown and CSV renderings of a table of strings (header + rows). Pure. */
import { renderCsvArrays } from '../results/csv.ts';

/** Columns padded to their widest cell; numbers-looking cells right-aligned. */
export function renderPlainTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = (s: string) => /^[-+−]?[\d.]/.test(s);
  const line = (cells: string[]) =>
    cells.map((s, c) => (numeric(s) && c > 0 ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

export function renderMarkdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `|${header.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map(line)].join('\n');
}

/** RFC 4180 (csv-writer): fields with a comma, quote or newline are quoted, quotes doubled. */
export function renderCsvTable(header: string[], rows: string[][]): string {
  return renderCsvArrays(header, rows);
}

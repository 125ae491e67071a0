/**
 * The CSV format of every results file: read with csv-parse, written with csv-writer. Malformed
 * input is a UsageError naming the file and the line its record starts on.
 */
import { parse, CsvError } from 'csv-parse/sync';
import { createArrayCsvStringifier, createObjectCsvStringifier } from 'csv-writer';
import { UsageError } from '../errors.ts';

/** One CSV record: its 1-based line number in the file and its values by column name. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

export interface CsvTable {
  file: string;
  columns: string[];
  rows: CsvRow[];
}

export function failAt(file: string, line: number, message: string): never {
  throw new UsageError(`${file}:${line}: ${message}`, [{ path: `${file}:${line}`, message }]);
}

const newlines = (s: string) => s.match(/\r\n|\r|\n/g)?.length ?? 0;

/** The line of the first non-blank line after `afterLine` (where a record that failed to parse starts). */
function nextRecordLine(text: string, afterLine: number): number {
  const lines = text.split(/\r\n|\r|\n/);
  let k = afterLine;
  while (k < lines.length && lines[k]!.trim() === '') k++;
  return k + 1;
}

/**
 * RFC 4180 CSV: comma separated, CRLF or LF records, double-quoted fields may hold commas,
 * newlines and doubled quotes. The first record is the header; blank lines are skipped.
 * Every record must have as many fields as the header.
 */
export function parseCsv(text: string, file: string): CsvTable {
  const ends: number[] = []; // the line each record ends on
  let records: string[][];
  try {
    records = parse(text, {
      bom: true, skip_empty_lines: true, relax_column_count: true,
      on_record: (record, context) => { ends.push(context.lines); return record; },
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = nextRecordLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, ends.at(-1) ?? 0);
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') failAt(file, line, 'unterminated quoted field');
    if (e.code === 'CSV_INVALID_CLOSING_QUOTE') failAt(file, line, `unexpected character after a closing quote (${e.message})`);
    failAt(file, line, e.message);
  }
  if (records.length === 0) failAt(file, 1, 'empty file: expected a header row');
  // A record starts as many lines before its end as its fields hold line breaks.
  const withLines = records.map((fields, k) => ({ fields, line: ends[k]! - fields.reduce((n, f) => n + newlines(f), 0) }));
  const [header, ...body] = withLines;
  const columns = header!.fields;
  const rows = body.map(({ line, fields }) => {
    if (fields.length !== columns.length) failAt(file, line, `expected ${columns.length} fields (as in the header), got ${fields.length}`);
    return { line, values: Object.fromEntries(columns.map((c, k) => [c, fields[k]!])) };
  });
  return { file, columns, rows };
}

/** Throws naming the file (line 1, the header) unless every listed column is present. */
export function requireColumns(table: CsvTable, needed: readonly string[]): void {
  const missing = needed.filter((c) => !table.columns.includes(c));
  if (missing.length) failAt(table.file, 1, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
}

/** Parses a CSV number: '' -> NaN, 'NaN'/'Infinity' accepted (a diverged loss), other text throws. */
export function parseCsvNumber(raw: string, file: string, line: number, column: string): number {
  const s = raw.trim();
  if (s === '' || s === 'NaN' || s === 'nan') return NaN;
  if (/^[-+]?(Infinity|inf)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  const x = Number(s);
  if (!Number.isFinite(x)) failAt(file, line, `column ${column}: expected a number, got ${JSON.stringify(raw)}`);
  return x;
}

export type CsvValue = string | number | boolean | null | undefined;

/** The header line of a CSV with these columns (with its line break). */
export function renderCsvHeader(columns: readonly string[]): string {
  return createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) }).getHeaderString() ?? '';
}

/**
 * A whole CSV: the header, then one record per row (missing and null values are empty fields).
 * With no rows csv-writer still ends the body with a line break: summary.csv files written
 * that way exist, so it stays.
 */
export function renderCsv(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  const csv = createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) });
  return (csv.getHeaderString() ?? '') + csv.stringifyRecords(rows as Record<string, unknown>[]);
}

/** A CSV from a header and rows of already formatted cells. */
export function renderCsvArrays(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const csv = createArrayCsvStringifier({ header: [...header] });
  return (csv.getHeaderString() ?? '') + (rows.length ? csv.stringifyRecords(rows.map((r) => [...r])) : '');
}

/** One CSV record of already formatted cells, without its line break. */
export function renderCsvLine(cells: readonly string[]): string {
  return createArrayCsvStringifier({}).stringifyRecords([[...cells]]).replace(/\n$/, '');
}

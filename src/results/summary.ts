/** summary.csv: one row per finished run, in plan order, rewritten atomically after every run. */
import { createObjectCsvStringifier } from 'csv-writer';
import { SUMMARY_COLUMNS } from './columns.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { summaryRow, type RunRecord } from './run-record.ts';

export function renderSummaryCsv(records: readonly RunRecord[], axes: readonly string[]): string {
  const header = [...SUMMARY_COLUMNS, ...axes].map((id) => ({ id, title: id }));
  const csv = createObjectCsvStringifier({ header });
  return csv.getHeaderString() + csv.stringifyRecords(records.map(summaryRow));
}

export function writeSummary(file: string, records: readonly RunRecord[], axes: readonly string[]): Promise<void> {
  return writeFileAtomic(file, renderSummaryCsv(records, axes));
}

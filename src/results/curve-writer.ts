/** Streams curve rows to `<runDir>/curve.csv` with csv-writer as training goes. */
import { createObjectCsvStringifier, createObjectCsvWriter } from 'csv-writer';
import type { CurveRow, TrainObserver } from '../train/types.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { CURVE_COLUMNS, GRAD_STATS_COLUMNS } from './columns.ts';

/**
 * Starts `file` afresh with the header and `rows` (a resumed run's rows up to its checkpoint, so no
 * step is missing or repeated), then appends each row the observer is given.
 */
export async function openCurveWriter(file: string, withGradStats = false, rows: readonly CurveRow[] = []): Promise<TrainObserver> {
  const columns = withGradStats ? [...CURVE_COLUMNS, ...GRAD_STATS_COLUMNS] : CURVE_COLUMNS;
  const header = columns.map((id) => ({ id, title: id }));
  const stringifier = createObjectCsvStringifier({ header });
  // The header first, so even a run that fails at once leaves a readable curve.
  await writeFileAtomic(file, (stringifier.getHeaderString() ?? '') + (rows.length ? stringifier.stringifyRecords([...rows]) : ''));
  const writer = createObjectCsvWriter({ path: file, header, append: true });
  return {
    onRow: (row: CurveRow) => writer.writeRecords([row]),
  };
}

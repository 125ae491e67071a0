/** Streams curve rows to `<runDir>/curve.csv` with csv-writer as training goes. */
import { writeFile } from 'node:fs/promises';
import { createObjectCsvStringifier, createObjectCsvWriter } from 'csv-writer';
import type { CurveRow, TrainObserver } from '../train/types.ts';
import { CURVE_COLUMNS, GRAD_STATS_COLUMNS } from './columns.ts';

export async function openCurveWriter(file: string, withGradStats = false): Promise<TrainObserver> {
  const columns = withGradStats ? [...CURVE_COLUMNS, ...GRAD_STATS_COLUMNS] : CURVE_COLUMNS;
  const header = columns.map((id) => ({ id, title: id }));
  // The header first, so even a run that fails at once leaves a readable curve.
  await writeFile(file, createObjectCsvStringifier({ header }).getHeaderString() ?? '');
  const writer = createObjectCsvWriter({ path: file, header, append: true });
  return {
    onRow: (row: CurveRow) => writer.writeRecords([row]),
  };
}

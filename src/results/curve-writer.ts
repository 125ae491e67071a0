/** Streams curve rows to `<runDir>/curve.csv` with csv-writer as training goes. */
import { createObjectCsvWriter } from 'csv-writer';
import type { CurveRow, TrainObserver } from '../train/types.ts';
import { CURVE_COLUMNS } from './columns.ts';

export async function openCurveWriter(file: string): Promise<TrainObserver> {
  const writer = createObjectCsvWriter({
    path: file,
    header: CURVE_COLUMNS.map((id) => ({ id, title: id })),
  });
  await writer.writeRecords([]); // the header, so even a run that fails at once has a readable curve
  return {
    onRow: (row: CurveRow) => writer.writeRecords([row]),
  };
}

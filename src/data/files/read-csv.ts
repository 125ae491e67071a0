/**
 * A CSV dataset: a header row naming the columns, then one example per row. The label column
 * holds integer classes; the feature columns (all the others unless `features` names them) hold
 * finite numbers. Every bad cell is reported (the first few by line and column), never guessed.
 */
import { readFile } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';
import type { FileDataSpec } from '../../config/schema.ts';
import { UsageError, type Issue } from '../../errors.ts';
import { checkDataFile, collect, throwIssues, toLabels, type FileArrays, type LabelledArrays } from './file-arrays.ts';

export type CsvDataConfig = Extract<FileDataSpec, { name: 'csv' }>;

const SHOWN = 3;

/** A record's cells and the line of the file it starts on (blank lines skipped still count). */
interface CsvRecord {
  cells: string[];
  line: number;
}

/** csv-parse reports the line a record ends on: it starts as many lines earlier as its quoted cells hold line breaks. */
const lineBreaks = (cell: string) => cell.match(/\r\n|\r|\n/g)?.length ?? 0;

/** One CSV file's examples: features by the configured columns, labels from `label`. */
async function readCsvPart(
  cfg: CsvDataConfig, path: 'data.path' | 'data.testPath', file: string, trainFeatures?: string[],
): Promise<{ part: LabelledArrays; features: string[] }> {
  const full = await checkDataFile(path, file);
  let rows: CsvRecord[];
  try {
    const ends: number[] = []; // the line each record ends on
    const records = parse(await readFile(full, 'utf8'), {
      skip_empty_lines: true, trim: true, bom: true,
      on_record: (record, context) => { ends.push(context.lines); return record; },
    });
    rows = records.map((cells, k) => ({ cells, line: ends[k]! - cells.reduce((n, cell) => n + lineBreaks(cell), 0) }));
  } catch (err) {
    if (err instanceof CsvError) throw new UsageError('bad CSV', [{ path, message: `${file} is not valid CSV: ${err.message}` }]);
    throw err;
  }
  if (rows.length < 2) {
    throw new UsageError('empty CSV', [{ path, message: `expected a header row and at least one example in ${file}, got ${rows.length === 0 ? 'an empty file' : 'only a header'}` }]);
  }
  const header = rows[0].cells;
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) issues.push({ path, message: `expected distinct column names in the header of ${file}, got ${JSON.stringify(name)} twice` });
    seen.add(name);
  }
  const columns = header.map((c) => JSON.stringify(c)).join(', ');
  const labelAt = header.indexOf(cfg.label);
  if (labelAt < 0) issues.push({ path: 'data.label', message: `expected a column of ${file} (${columns}), got ${JSON.stringify(cfg.label)}` });
  // The test file's columns are looked up by the train file's names, so their order may differ.
  const features = cfg.features ?? trainFeatures ?? header.filter((c) => c !== cfg.label);
  const featureAt = features.map((name) => header.indexOf(name));
  featureAt.forEach((at, i) => {
    if (at < 0) issues.push({ path: cfg.features ? `data.features[${i}]` : path, message: `expected a column of ${file} (${columns}), got ${JSON.stringify(features[i])}` });
  });
  if (cfg.features?.includes(cfg.label)) issues.push({ path: 'data.features', message: `expected feature columns other than the label column ${JSON.stringify(cfg.label)}` });
  if (features.length === 0) issues.push({ path: 'data.features', message: `expected at least one feature column in ${file} besides the label` });
  throwIssues(issues, 'bad CSV columns');

  const n = rows.length - 1;
  const x = new Float32Array(n * features.length);
  const rawLabels = new Float64Array(n);
  const bad: string[] = [];
  let badCount = 0;
  const badCell = (line: number, column: string, value: string) => {
    if (bad.length < SHOWN) bad.push(`line ${line}, column ${JSON.stringify(column)}: ${JSON.stringify(value)}`);
    badCount++;
  };
  for (let r = 0; r < n; r++) {
    const { cells: row, line } = rows[r + 1];
    featureAt.forEach((at, k) => {
      const cell = row[at];
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) badCell(line, features[k], cell);
      x[r * features.length + k] = value;
    });
    const cell = row[labelAt];
    rawLabels[r] = cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(rawLabels[r])) badCell(line, cfg.label, cell);
  }
  if (badCount > 0) {
    throw new UsageError('bad CSV values', [{
      path,
      message: `expected finite numbers in ${file}, got ${bad.join('; ')}${badCount > bad.length ? `; and ${badCount - bad.length} more` : ''}`,
    }]);
  }
  const labels = toLabels(rawLabels, 'data.label', `column ${JSON.stringify(cfg.label)} of ${file}`);
  return { part: { x, labels, labelSource: { path: 'data.label', file } }, features };
}

/** The train part from `path` and, when given, the test part from `testPath`; throws UsageError with every issue. */
export async function readCsvArrays(cfg: CsvDataConfig): Promise<FileArrays> {
  const issues: Issue[] = [];
  const train = await collect(issues, () => readCsvPart(cfg, 'data.path', cfg.path));
  const test = cfg.testPath === undefined ? undefined : await collect(issues, () => readCsvPart(cfg, 'data.testPath', cfg.testPath!, train?.features));
  throwIssues(issues, 'bad CSV data');
  return { inputShape: [train!.features.length], scale: 1 / cfg.divideBy, train: train!.part, test: test?.part };
}

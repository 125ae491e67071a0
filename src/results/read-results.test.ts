import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseCsv, parseCsvNumber } from './csv.ts';
import { readSummary, runDirOf, runPaths } from './layout.ts';
import { readCompareInput, readResultsDir } from './read-results.ts';
import { FIXTURE_DIR, fixtureFiles, writeFixture } from '../../test/fixtures/report/generate-fixture.ts';
import { readFile } from 'node:fs/promises';

const usage = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
};

describe('parseCsv', () => {
  it.each([
    ['plain LF', 'a,b\n1,2\n3,4\n', [{ a: '1', b: '2' }, { a: '3', b: '4' }]],
    ['CRLF, no final newline', 'a,b\r\n1,2\r\n3,4', [{ a: '1', b: '2' }, { a: '3', b: '4' }]],
    ['quoted comma, quote and newline', 'a,b\n"x,y","say ""hi""\nthere"\n', [{ a: 'x,y', b: 'say "hi"\nthere' }]],
    ['empty fields and blank lines', 'a,b,c\n,,\n\n1,,3\n', [{ a: '', b: '', c: '' }, { a: '1', b: '', c: '3' }]],
    ['BOM', '\ufeffa\n1\n', [{ a: '1' }]],
    ['quoted empty field', 'a,b\n"",2\n', [{ a: '', b: '2' }]],
  ])('%s', (_name, text, rows) => {
    expect(parseCsv(text, 'f.csv').rows.map((r) => r.values)).toEqual(rows);
  });

  it('numbers records by the line they start on', () => {
    const t = parseCsv('a,b\n"multi\nline",1\n2,3\n', 'f.csv');
    expect(t.rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it.each([
    ['too few fields', 'a,b\n1,2\n3\n', 'f.csv:3: expected 2 fields'],
    ['too many fields', 'a,b\n1,2,3\n', 'f.csv:2: expected 2 fields (as in the header), got 3'],
    ['unterminated quote', 'a\n"abc\n', 'f.csv:2: unterminated quoted field'],
    ['text after a closing quote', 'a,b\n"x"y,1\n', 'f.csv:2: unexpected character'],
    ['empty file', '', 'f.csv:1: empty file'],
  ])('rejects %s with file and line', (_name, text, message) => {
    expect(usage(() => parseCsv(text, 'f.csv')).message).toContain(message);
  });
});

describe('parseCsvNumber', () => {
  it.each([['1.5', 1.5], ['-2e-3', -2e-3], ['', NaN], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]])('%s', (raw, x) => {
    expect(parseCsvNumber(raw as string, 'f', 1, 'c')).toBe(x);
  });
  it('rejects text', () => {
    expect(usage(() => parseCsvNumber('abc', 'f.csv', 7, 'lr')).message).toBe('f.csv:7: column lr: expected a number, got "abc"');
  });
});

describe('results directory readers', () => {
  it('keeps the committed fixture in sync with its generator', async () => {
    for (const [rel, text] of fixtureFiles()) expect(await readFile(join(FIXTURE_DIR, rel), 'utf8'), rel).toBe(text);
  });

  it('reads the fixture: runs, curves, records', async () => {
    const data = await readResultsDir(FIXTURE_DIR);
    expect(data.runs).toHaveLength(24);
    expect(data.sweep.environment.backend).toBe('wasm');
    const div = data.runs.filter((r) => r.summary.status === 'diverged');
    expect(div).toHaveLength(1);
    expect(Number.isNaN(div[0]!.summary.finalTestAcc)).toBe(true);
    expect(Number.isNaN(div[0]!.curve.at(-1)!.trainLoss)).toBe(true);
    const r0 = data.runs[0]!;
    expect(r0.curve).toHaveLength(20);
    expect(r0.summary.batchSize * r0.summary.steps).toBe(r0.summary.examplesSeen);
    expect(Number.isNaN(r0.curve[0]!.testLoss)).toBe(true); // no evaluation on odd rows
    expect(r0.record?.run_id).toBe(r0.summary.runId);
  });

  it('accepts a directory or its summary.csv for compare, labelled by the directory', async () => {
    const a = await readCompareInput(FIXTURE_DIR);
    const b = await readCompareInput(join(FIXTURE_DIR, 'summary.csv'));
    expect(a.label).toBe('sweep-small');
    expect(b.label).toBe('sweep-small');
    expect(b.rows).toEqual(a.rows);
  });

  it('names the file and line of a malformed summary or curve', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchlab-read-'));
    try {
      await writeFixture(dir);
      const summary = join(dir, 'summary.csv');
      const text = await readFile(summary, 'utf8');
      await writeFile(summary, text.replace('run_id,status,', 'run_id,state,'));
      await expect(readSummary(dir)).rejects.toThrow(`${summary}:1: missing column status`);
      const lines = text.split('\n');
      lines[3] = lines[3]!.replace(',64,', ',sixty-four,');
      await writeFile(summary, lines.join('\n'));
      await expect(readResultsDir(dir)).rejects.toThrow(`${summary}:4: column batch_size: expected a number, got "sixty-four"`);
      await writeFile(summary, text);
      const runId = parseCsv(text, summary).rows[0]!.values.run_id!;
      const curve = runPaths(runDirOf(dir, runId)).curveCsv;
      await writeFile(curve, (await readFile(curve, 'utf8')).replace(/\n([^\n]*)\n$/, '\n$1,9\n'));
      await expect(readResultsDir(dir)).rejects.toThrow(`${curve}:21: expected 11 fields`);
      await expect(readSummary(join(dir, 'nope'))).rejects.toThrow(UsageError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import {
  SCHEMA_VERSION, readRunJson, readRunRecord, readSummary, readSweepJson, renderSummaryCsv, resultsPaths, runDirOf, runPaths,
  writeRunRecord, writeSweepJson,
} from './layout.ts';
import type { RunRecord } from './run-record.ts';

const COMMITTED = join(import.meta.dirname, '../../results/claims');

const tmp = useTempDir('batchlab-layout-');

describe('paths', () => {
  it('lays out a results folder and a run folder', () => {
    const p = resultsPaths('out');
    expect([p.sweepJson, p.summaryCsv, p.runsDir, p.verdictsCsv, p.verdictsJson, p.reportHtml, p.runDir('abc')]).toEqual([
      join('out', 'sweep.json'), join('out', 'summary.csv'), join('out', 'runs'), join('out', 'verdicts.csv'),
      join('out', 'verdicts.json'), join('out', 'report.html'), join('out', 'runs', 'abc'),
    ]);
    const r = runPaths(runDirOf('out', 'abc'));
    expect([r.runJson, r.curveCsv, r.checkpoint]).toEqual([
      join('out', 'runs', 'abc', 'run.json'), join('out', 'runs', 'abc', 'curve.csv'), join('out', 'runs', 'abc', 'checkpoint.bin'),
    ]);
  });
});

describe('schema version', () => {
  it('is written into sweep.json and run.json', async () => {
    await writeSweepJson(tmp.path, { name: 'x', axes: [] });
    expect(JSON.parse(await readFile(resultsPaths(tmp.path).sweepJson, 'utf8')).schemaVersion).toBe(SCHEMA_VERSION);
    const runDir = runDirOf(tmp.path, 'r1');
    await mkdir(runDir, { recursive: true });
    await writeRunRecord(runDir, { run_id: 'r1', status: 'completed' } as RunRecord);
    expect((await readRunJson(runDir))?.schemaVersion).toBe(SCHEMA_VERSION);
    expect((await readRunRecord(tmp.path, 'r1'))?.status).toBe('completed');
  });

  it('reads files without one as version 1', async () => {
    await writeFile(resultsPaths(tmp.path).sweepJson, JSON.stringify({ name: 'old', axes: [] }));
    expect((await readSweepJson(tmp.path)).raw).toEqual({ name: 'old', axes: [] });
  });

  it('refuses a file from a newer layout, naming the file', async () => {
    await writeFile(resultsPaths(tmp.path).sweepJson, JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, name: 'new' }));
    const err = await readSweepJson(tmp.path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${resultsPaths(tmp.path).sweepJson}: schemaVersion: expected an integer from 1 to ${SCHEMA_VERSION}`);
  });
});

describe('summary.csv', () => {
  it('renders the committed summaries byte for byte from their run records', async () => {
    const sweeps = (await readdir(COMMITTED, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(sweeps.length).toBeGreaterThan(0);
    for (const name of sweeps) {
      const sweepDir = join(COMMITTED, name);
      const summary = await readSummary(sweepDir);
      const { raw } = await readSweepJson(sweepDir);
      const records = await Promise.all(summary.rows.map(async (row) => (await readRunRecord(sweepDir, row.values.run_id!))!));
      expect(renderSummaryCsv(records, (raw as { axes: string[] }).axes), name).toBe(await readFile(summary.file, 'utf8'));
    }
  });
});

describe('atomic writes', () => {
  it('replace the file and leave no temporary file behind, also when the write fails', async () => {
    const file = join(tmp.path, 'a.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    await expect(writeFileAtomic(join(tmp.path, 'missing', 'b.json'), 'x')).rejects.toThrow();
    await expect(writeFileAtomic(join(tmp.path, 'a.json', 'c'), 'x')).rejects.toThrow(); // a file where a folder should be
    expect(await readdir(tmp.path)).toEqual(['a.json']);
  });

  it('durable: false replaces the file the same way, without fsyncing its folder', async () => {
    const file = join(tmp.path, 'a.csv');
    const synced: string[] = [];
    const handle = await open(tmp.path, 'r');
    const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
    await handle.close();
    const original = proto.sync;
    proto.sync = function (this: unknown) { synced.push('sync'); return original.call(this); };
    try {
      await writeFileAtomic(file, 'one', { durable: false });
      await writeFileAtomic(file, 'two', { durable: false });
      expect(synced).toEqual([]);
      await writeFileAtomic(file, 'three');
      expect(synced).toEqual(['sync']); // the folder's (write-file-atomic syncs the file through fs.fsync)
    } finally {
      proto.sync = original;
    }
    expect(await readFile(file, 'utf8')).toBe('three');
    expect(await readdir(tmp.path)).toEqual(['a.csv']);
  });
});

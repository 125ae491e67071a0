/** mergeSweeps orders the merged summary by the run ids sweep.json records, without planning. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir.ts';
import { validateSpec } from '../config/validate.ts';
import { UsageError } from '../errors.ts';
import { mergeSweeps } from './merge.ts';
import { blankRecord } from './run-record.ts';
import { runDirOf } from './layout.ts';

const SPEC = { name: 't', train: { steps: 1 } };
const checked = validateSpec(SPEC);
if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
const { sweep: _sweep, claim: _claim, ...CONFIG } = checked.spec;
const IDS = ['cccccccccccc', 'aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'dddddddddddd'];

async function writeShard(dir: string, ids: string[], runIds?: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'sweep.json'), JSON.stringify({ name: 't', spec: SPEC, axes: [], environment: {}, ...(runIds !== undefined ? { runIds } : {}) }));
  for (const id of ids) {
    const meta = { batchSize: 16, baseLr: 0.05, lr: 0.05, scalingRule: 'none' as const, batchRatio: 1, capped: false, seed: 1, axes: {} };
    const record = blankRecord({ runId: id, config: CONFIG, meta }, 'completed', {});
    await mkdir(runDirOf(dir, id), { recursive: true });
    await writeFile(join(runDirOf(dir, id), 'run.json'), JSON.stringify(record));
  }
}

const summaryIds = async (dir: string) =>
  (await readFile(join(dir, 'summary.csv'), 'utf8')).trim().split('\n').slice(1).map((line) => line.slice(0, 12));

describe('mergeSweeps', () => {
  const tmp = useTempDir('batchlab-merge-');

  it('orders rows as planned, from the ids in sweep.json', async () => {
    await writeShard(join(tmp.path, 's0'), [IDS[0], IDS[2]], IDS);
    await writeShard(join(tmp.path, 's1'), [IDS[1], IDS[3]], IDS);
    const outcome = await mergeSweeps([join(tmp.path, 's0'), join(tmp.path, 's1')], join(tmp.path, 'm'));
    expect(outcome.runs).toBe(4);
    expect(await summaryIds(join(tmp.path, 'm'))).toEqual(IDS);
    expect(JSON.parse(await readFile(join(tmp.path, 'm', 'sweep.json'), 'utf8')).runIds).toEqual(IDS);
  });

  it('keeps the order found for a sweep.json without planned ids: folders as given, ids sorted', async () => {
    await writeShard(join(tmp.path, 's0'), [IDS[0], IDS[2]]);
    await writeShard(join(tmp.path, 's1'), [IDS[1], IDS[3]]);
    await mergeSweeps([join(tmp.path, 's0'), join(tmp.path, 's1')], join(tmp.path, 'm'));
    expect(await summaryIds(join(tmp.path, 'm'))).toEqual([IDS[2], IDS[0], IDS[1], IDS[3]]);
  });

  it('takes the planned ids from any folder that has them', async () => {
    await writeShard(join(tmp.path, 's0'), [IDS[0], IDS[2]]);
    await writeShard(join(tmp.path, 's1'), [IDS[1], IDS[3]], IDS);
    await mergeSweeps([join(tmp.path, 's0'), join(tmp.path, 's1')], join(tmp.path, 'm'));
    expect(await summaryIds(join(tmp.path, 'm'))).toEqual(IDS);
  });

  it('refuses planned ids that are not a list of strings, naming the file', async () => {
    await writeShard(join(tmp.path, 's0'), [IDS[0]], 'abc');
    const err = await mergeSweeps([join(tmp.path, 's0')], join(tmp.path, 'm')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues.map((i) => i.path)).toEqual([`${join(tmp.path, 's0', 'sweep.json')}: runIds`]);
  });
});

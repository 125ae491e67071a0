/**
 * Merges sweep output directories (e.g. shards) into one: copies every finished run, drops
 * duplicates whose outcome is identical, and reports those that conflict (first one kept).
 */
import { cp } from 'node:fs/promises';
import type { Spec } from '../config/schema.ts';
import { UsageError, refusedWriteError } from '../errors.ts';
import { withFolderLock } from './folder-lock.ts';
import { checkOutDir } from './out-dir.ts';
import { describeValue } from '../config/format-issues.ts';
import { validateSpec } from '../config/validate.ts';
import type { RunRecord } from './run-record.ts';
import { FINISHED, listRunIds, makeRunsDir, readRunRecord, readSweepJson, resultsPaths, runDirOf, writeSummary, writeSweepJson } from './layout.ts';

export interface MergeOutcome {
  runs: number;
  duplicates: number;
  conflicts: { runId: string; dirs: [string, string]; why: string }[];
}

/** What must agree for two copies of a run to count as the same result. */
const outcomeOf = (r: RunRecord) => JSON.stringify({ status: r.status, final: r.final });

/** `runIds`: every planned run in plan order; absent in sweep.json written before it was recorded. */
type SweepJson = { name: string; spec: Spec; axes: string[]; environment: unknown; runIds?: string[] };

/** sweep.json of a sweep output directory: an object whose spec validates; anything else is a UsageError naming the file. */
async function readMergeInput(dir: string): Promise<SweepJson> {
  const file = resultsPaths(dir).sweepJson;
  let raw: unknown;
  try {
    ({ raw } = await readSweepJson(dir));
  } catch {
    throw new UsageError(`${dir} is not a sweep output directory (no readable sweep.json)`, [{ path: file, message: 'expected a readable JSON file' }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${file}: expected a JSON object, got ${describeValue(raw)}`, [{ path: file, message: `expected a JSON object, got ${describeValue(raw)}` }]);
  }
  const o = raw as Partial<SweepJson>;
  const specIsMap = o.spec !== null && typeof o.spec === 'object' && !Array.isArray(o.spec);
  const checked = specIsMap ? validateSpec(o.spec) : { ok: false as const, issues: [{ path: '', message: `expected a map of keys, got ${describeValue(o.spec)}` }] };
  const idsOk = o.runIds === undefined || (Array.isArray(o.runIds) && o.runIds.every((id) => typeof id === 'string'));
  if (!checked.ok || !Array.isArray(o.axes) || !o.axes.every((a) => typeof a === 'string') || !idsOk) {
    const issues = checked.ok ? [] : checked.issues.map((i) => ({ path: `${file}: spec${i.path ? `.${i.path}` : ''}`, message: i.message }));
    if (!Array.isArray(o.axes)) issues.push({ path: `${file}: axes`, message: `expected a list of column names, got ${describeValue(o.axes)}` });
    if (!idsOk) issues.push({ path: `${file}: runIds`, message: `expected a list of run ids, got ${describeValue(o.runIds)}` });
    throw new UsageError(`${file} does not hold a valid sweep (spec and axes)`, issues);
  }
  return { ...o, spec: checked.spec } as SweepJson;
}

export async function mergeSweeps(dirs: readonly string[], outDir: string, lock: { staleMs?: number } = {}): Promise<MergeOutcome> {
  const outIssues = await checkOutDir(outDir, '--out');
  if (outIssues.length) throw new UsageError('invalid option', outIssues);
  const sweeps = await Promise.all(dirs.map(readMergeInput));
  const first = sweeps[0];
  const mismatched = sweeps.findIndex((s) => JSON.stringify(s.spec) !== JSON.stringify(first.spec));
  if (mismatched > 0) {
    throw new UsageError(`${dirs[mismatched]} holds a different sweep than ${dirs[0]} (sweep.json specs differ)`, [
      { path: `${resultsPaths(dirs[mismatched]!).sweepJson}: spec`, message: `expected the spec of ${resultsPaths(dirs[0]!).sweepJson}` },
    ]);
  }

  const kept = new Map<string, { record: RunRecord; dir: string }>();
  const outcome: MergeOutcome = { runs: 0, duplicates: 0, conflicts: [] };
  for (const dir of dirs) {
    for (const id of await listRunIds(dir)) {
      const record = await readRunRecord(dir, id);
      if (!record || (!FINISHED.has(record.status) && record.status !== 'failed')) continue; // finished or failed runs merge
      const prior = kept.get(id);
      if (prior) {
        if (outcomeOf(prior.record) === outcomeOf(record)) outcome.duplicates += 1;
        else outcome.conflicts.push({ runId: id, dirs: [prior.dir, dir], why: `${prior.record.status} vs ${record.status}, final metrics differ` });
        continue;
      }
      kept.set(id, { record, dir });
    }
  }
  // Rows in plan order, from the ids `sweep` recorded; runs the plan lacks follow, as found.
  // A sweep.json written before ids were recorded has no plan order to offer: its rows keep the
  // order found (folders as given, run ids sorted within each); `batchlab sweep` on the merged
  // folder rewrites summary.csv in plan order.
  const runIds = sweeps.find((s) => s.runIds !== undefined)?.runIds; // the same in every folder: the specs agree
  const planned = runIds ?? [];
  const inPlan = new Set(planned);
  const ordered = [...planned.filter((id) => kept.has(id)).map((id) => kept.get(id)!.record),
    ...[...kept.values()].map((k) => k.record).filter((r) => !inPlan.has(r.run_id))];
  // Held while writing, so a sweep or another merge into the same folder cannot interleave.
  await withFolderLock(outDir, { flag: '--out', command: `merge ${dirs.join(' ')}`, staleMs: lock.staleMs }, async () => {
    await makeRunsDir(outDir);
    for (const [id, { dir }] of kept) {
      if (dir !== outDir) await cp(runDirOf(dir, id), runDirOf(outDir, id), { recursive: true });
    }
    await writeSummary(outDir, ordered, first.axes);
    await writeSweepJson(outDir, { ...first, ...(runIds ? { runIds } : {}), shard: null, mergedFrom: [...dirs] });
  });
  outcome.runs = ordered.length;
  return outcome;
}

/**
 * Crash testing of `batchlab sweep`: start it as a process group, SIGKILL the whole group (the
 * scheduler and its workers) at chosen moments, rerun, and compare the folder it finally leaves
 * with an uninterrupted sweep of the same spec. Shared by scripts/probes/kill-sweep.ts and
 * test/kill.e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/batchlab.mjs');

export interface SweepProcess {
  /** Resolves with the exit code (null when killed) once the whole group has been reaped. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when the sweep has started its runs (its `sweep: N runs ...` line), or has exited. */
  started: Promise<void>;
  /** SIGKILLs the process group: the sweep and every worker it forked, at once. */
  killGroup(): void;
}

/** Starts `batchlab sweep <spec> --out <out> --workers <workers>` in `cwd` as the leader of a new process group. */
export function startSweep(cwd: string, spec: string, out: string, workers: number, extra: string[] = []): SweepProcess {
  const child = spawn(process.execPath, [BIN, 'sweep', spec, '--out', out, '--workers', String(workers), ...extra], {
    cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onStart = () => {};
  const started = new Promise<void>((resolve) => (onStart = resolve));
  child.stdout.on('data', (d) => {
    stdout += d;
    if (/^sweep: /m.test(stdout)) onStart();
  });
  child.on('close', () => onStart());
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    exited,
    started,
    killGroup: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    },
  };
}

/**
 * Resolves true once some run of `outDir` has written a checkpoint after `sinceMs` (epoch ms), or
 * false when `until` settles first (the sweep exited) or `timeoutMs` passes.
 */
export async function freshCheckpoint(outDir: string, sinceMs: number, until: Promise<unknown>, timeoutMs = 60_000): Promise<boolean> {
  let over = false;
  void until.then(() => (over = true));
  const end = Date.now() + timeoutMs;
  const runsDir = join(outDir, 'runs');
  while (!over && Date.now() < end) {
    const ids = existsSync(runsDir) ? readdirSync(runsDir) : [];
    for (const id of ids) {
      try {
        if (statSync(join(runsDir, id, 'checkpoint.bin')).mtimeMs > sinceMs) return true;
      } catch {
        // no checkpoint in this run yet
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** How far a killed sweep got: finished runs and the steps its checkpoints hold. */
export interface FolderProgress {
  finished: number;
  /** run.json says `running` although nothing runs it any more. */
  running: number;
  checkpoints: number;
  /** The steps the checkpoints hold, summed over runs. */
  checkpointSteps: number;
}

export function progressOf(outDir: string): FolderProgress {
  const runsDir = join(outDir, 'runs');
  const p: FolderProgress = { finished: 0, running: 0, checkpoints: 0, checkpointSteps: 0 };
  if (!existsSync(runsDir)) return p;
  for (const id of readdirSync(runsDir)) {
    try {
      const rec = JSON.parse(readFileSync(join(runsDir, id, 'run.json'), 'utf8')) as { status: string };
      if (rec.status === 'completed' || rec.status === 'diverged') p.finished += 1;
      if (rec.status === 'running') p.running += 1;
    } catch {
      // absent or being replaced
    }
    const ckpt = join(runsDir, id, 'checkpoint.bin');
    if (existsSync(ckpt)) {
      p.checkpoints += 1;
      // The header's "step" (see src/results/checkpoint-store.ts for the layout).
      const head = readFileSync(ckpt).subarray(0, 4096).toString('latin1');
      p.checkpointSteps += Number(/"step":(\d+)/.exec(head)?.[1] ?? 0);
    }
  }
  return p;
}

function readCsv(file: string): { cols: string[]; rows: Record<string, string>[] } {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split(',');
  return { cols, rows: lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [cols[i], c]))) };
}

const TIMING = new Set(['wall_ms', 'wall_s', 'samples_per_s', 'train_s']);
const withoutTimings = (row: Record<string, string>) => Object.fromEntries(Object.entries(row).filter(([k]) => !TIMING.has(k)));

/**
 * Every difference between a sweep folder and the uninterrupted reference: runs lost or duplicated,
 * curves with missing or repeated steps, metrics, curve values or step losses that differ (timings aside),
 * leftover checkpoints of finished runs. Empty when the folders agree.
 */
export function compareSweeps(outDir: string, refDir: string): string[] {
  const problems: string[] = [];
  const ref = readCsv(join(refDir, 'summary.csv'));
  const got = readCsv(join(outDir, 'summary.csv'));
  const ids = got.rows.map((r) => r.run_id);
  if (new Set(ids).size !== ids.length) problems.push(`summary.csv repeats a run: ${ids.join(' ')}`);
  const refIds = ref.rows.map((r) => r.run_id);
  for (const id of refIds) if (!ids.includes(id)) problems.push(`run ${id} lost from summary.csv`);
  for (const id of ids) if (!refIds.includes(id)) problems.push(`run ${id} is not in the reference`);
  const folders = readdirSync(join(outDir, 'runs')).sort();
  if (folders.join() !== [...refIds].sort().join()) problems.push(`run folders ${folders.join(' ')} are not the planned runs`);
  for (const refRow of ref.rows) {
    const id = refRow.run_id;
    const row = got.rows.find((r) => r.run_id === id);
    if (row && JSON.stringify(withoutTimings(row)) !== JSON.stringify(withoutTimings(refRow))) {
      problems.push(`run ${id}: summary differs: ${JSON.stringify(withoutTimings(row))} vs ${JSON.stringify(withoutTimings(refRow))}`);
    }
    const curveFile = join(outDir, 'runs', id, 'curve.csv');
    if (!existsSync(curveFile)) {
      problems.push(`run ${id}: no curve.csv`);
      continue;
    }
    const curve = readCsv(curveFile).rows;
    const refCurve = readCsv(join(refDir, 'runs', id, 'curve.csv')).rows;
    const steps = curve.map((r) => Number(r.step));
    const refSteps = refCurve.map((r) => Number(r.step));
    if (steps.some((s, i) => i > 0 && s <= steps[i - 1])) problems.push(`run ${id}: curve steps repeat or go back: ${steps.join(' ')}`);
    if (steps.join() !== refSteps.join()) problems.push(`run ${id}: curve steps ${steps.join(' ')} differ from the reference's ${refSteps.join(' ')}`);
    curve.forEach((r, i) => {
      if (refCurve[i] && JSON.stringify(withoutTimings(r)) !== JSON.stringify(withoutTimings(refCurve[i]))) {
        problems.push(`run ${id}: curve row ${i} (step ${r.step}) differs from the reference`);
      }
    });
    // Every step's loss, once, equal to the reference's.
    const stepLosses = readFileSync(join(outDir, 'runs', id, 'step-losses.csv'), 'utf8');
    if (stepLosses !== readFileSync(join(refDir, 'runs', id, 'step-losses.csv'), 'utf8')) problems.push(`run ${id}: step-losses.csv differs from the reference's`);
    if (existsSync(join(outDir, 'runs', id, 'checkpoint.bin'))) problems.push(`run ${id}: finished but its checkpoint is left`);
  }
  return problems;
}

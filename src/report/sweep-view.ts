/**
 * The shape of a sweep as the charts see it: which task, which panels (a scaling rule plus any
 * extra axis values), and runs grouped into configurations whose runs differ only by seed. Pure.
 */
import { z } from 'zod';
import type { ResultsData, RunResult, RunSummary } from '../results/read-results.ts';

export type Task = 'classification' | 'regression';

/** All seeds of one configuration: panel x batch size x base LR. */
export interface ConfigGroup {
  panel: string;
  batchSize: number;
  baseLr: number;
  /** Peak LR after scaling (the same for every seed). */
  lr: number;
  runs: RunResult[];
  completed: RunResult[];
  diverged: number;
}

export interface SweepView {
  task: Task;
  /** Human name of the final metric the charts rank by. */
  metricName: string;
  panels: string[];
  /** Axes left out of every panel name (`arm` when the arms only choose cells and seeds). */
  panelLeftOut: string[];
  batchSizes: number[];
  baseLrs: number[];
  groups: ConfigGroup[];
  /**
   * Which split chooses a configuration (the best base LR, the target of steps-to-target):
   * 'validation' when every run has a validation split (data.validationSize), else 'test'.
   * Reported numbers are test metrics either way.
   */
  selectOn: 'validation' | 'test';
  /**
   * Per panel and batch size, the base LR with the best mean final metric over completed seeds
   * (on the `selectOn` split), among configurations with no diverged seed when there are any.
   */
  best: ConfigGroup[];
}

/** The final metric charts rank by: test accuracy (higher is better) or test loss (lower). */
export function finalMetric(s: RunSummary, task: Task): number {
  return task === 'classification' ? s.finalTestAcc : s.finalTestLoss;
}

/** true when `a` is a better value of the task's metric than `b`. */
export function isBetter(a: number, b: number, task: Task): boolean {
  return task === 'classification' ? a > b : a < b;
}

/**
 * A run's panel: its scaling rule and axis values. An arm's own axis is empty in the other arms'
 * rows: not part of their panel. `leftOut` names axes that do not tell configurations apart
 * (see `gridOnlyArms`).
 */
export function panelOf(s: RunSummary, leftOut: readonly string[] = []): string {
  const axes = Object.entries(s.axes).filter(([k, v]) => v !== '' && !leftOut.includes(k)).map(([k, v]) => `${k}=${v}`);
  return [s.scalingRule, ...axes].join(' · ');
}

/** Sweep keys an arm may set and still train the same configuration: they pick which cells and seeds run. */
const GRID_KEYS = ['sweep.batchSize', 'sweep.seeds', 'sweep.lr'];

/** The part of a recorded spec (sweep.json, read from disk, any version) that gridOnlyArms reads. */
const RECORDED_ARMS = z.object({
  sweep: z.object({
    arms: z.array(z.object({ set: z.record(z.string(), z.unknown()).optional(), axes: z.record(z.string(), z.unknown()).optional() })),
  }),
});

/**
 * true when every arm of the spec only chooses which batch sizes, LRs and seeds of the same
 * configuration run (e.g. 10 seeds at B 2 and 32, 3 at B 4 and 8): the arm then splits no
 * configuration, and a batch-size chart draws each configuration as one line over all of them.
 */
export function gridOnlyArms(spec: unknown): boolean {
  const parsed = RECORDED_ARMS.safeParse(spec);
  if (!parsed.success || parsed.data.sweep.arms.length === 0) return false;
  return parsed.data.sweep.arms.every((a) => Object.keys(a.axes ?? {}).length === 0 && Object.keys(a.set ?? {}).every((k) => GRID_KEYS.includes(k)));
}

const finite = (xs: number[]) => xs.filter(Number.isFinite);
export const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Mean final metric over a group's completed runs (NaN if none completed). */
export function groupScore(g: ConfigGroup, task: Task): number {
  return meanOf(finite(g.completed.map((r) => finalMetric(r.summary, task))));
}

/** The final metric a configuration is chosen by: the validation split's when `on` is 'validation'. */
export function selectionMetric(s: RunSummary, task: Task, on: SweepView['selectOn']): number {
  if (on === 'test') return finalMetric(s, task);
  return task === 'classification' ? s.finalValAcc : s.finalValLoss;
}

/** Mean selection metric over a group's completed runs: what choosing a configuration compares (NaN if none completed). */
export function selectionScore(g: ConfigGroup, view: Pick<SweepView, 'task' | 'selectOn'>): number {
  return meanOf(finite(g.completed.map((r) => selectionMetric(r.summary, view.task, view.selectOn))));
}

/** "on the validation split" / "on the test split (the runs have no validation split)": says where a choice was made. */
export function describeSelection(view: Pick<SweepView, 'selectOn'>): string {
  return view.selectOn === 'validation' ? 'chosen on the validation split' : 'chosen on the test split (these runs have no validation split)';
}

export function viewSweep(data: ResultsData): SweepView {
  const task: Task = data.runs.some((r) => Number.isFinite(r.summary.finalTestAcc) || r.curve.some((p) => Number.isFinite(p.testAcc)))
    ? 'classification'
    : 'regression';
  const panelLeftOut = gridOnlyArms(data.sweep.spec) ? ['arm'] : [];
  const panels: string[] = [];
  const byKey = new Map<string, ConfigGroup>();
  for (const run of data.runs) {
    const s = run.summary;
    const panel = panelOf(s, panelLeftOut);
    if (!panels.includes(panel)) panels.push(panel);
    const key = `${panel}\u0000${s.batchSize}\u0000${s.baseLr}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { panel, batchSize: s.batchSize, baseLr: s.baseLr, lr: s.lr, runs: [], completed: [], diverged: 0 }));
    g.runs.push(run);
    if (s.status === 'completed') g.completed.push(run);
    if (s.status === 'diverged') g.diverged++;
  }
  const selectOn: SweepView['selectOn'] = data.runs.length > 0 && data.runs.every((r) => r.summary.valSize > 0) ? 'validation' : 'test';
  const groups = [...byKey.values()].sort((a, b) => panels.indexOf(a.panel) - panels.indexOf(b.panel) || a.batchSize - b.batchSize || a.baseLr - b.baseLr);
  const sortedUnique = (xs: number[]) => [...new Set(xs.filter(Number.isFinite))].sort((a, b) => a - b);
  const best: ConfigGroup[] = [];
  for (const panel of panels) {
    for (const b of sortedUnique(groups.filter((g) => g.panel === panel).map((g) => g.batchSize))) {
      // A configuration with a diverged seed is not a fair "best": prefer fully stable ones.
      let pick: ConfigGroup | undefined;
      for (const g of groups) {
        if (g.panel !== panel || g.batchSize !== b) continue;
        const score = selectionScore(g, { task, selectOn });
        if (!Number.isFinite(score)) continue;
        const stabler = pick !== undefined && (g.diverged === 0) !== (pick.diverged === 0);
        if (!pick || (stabler ? g.diverged === 0 : isBetter(score, selectionScore(pick, { task, selectOn }), task))) pick = g;
      }
      if (pick) best.push(pick);
    }
  }
  return {
    task,
    metricName: task === 'classification' ? 'final test accuracy' : 'final test loss',
    panels,
    panelLeftOut,
    batchSizes: sortedUnique(data.runs.map((r) => r.summary.batchSize)),
    baseLrs: sortedUnique(data.runs.map((r) => r.summary.baseLr)),
    groups,
    selectOn,
    best,
  };
}

/** A spec with a `sweep:` section -> the validated list of runs it plans, in grid order. */
import { expandGrid, type SweepSpec as GridSweep } from '../core/grid.ts';
import { runId } from '../core/run-id.ts';
import { OPTIONAL_AXIS_PATHS, type RunConfig, type Spec } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { UsageError, type Issue } from '../errors.ts';
import type { PlannedRun } from './execute-run.ts';
import { applyOverrides } from '../config/overrides.ts';

export function runConfigOf(spec: Spec): RunConfig {
  const { sweep: _sweep, claim: _claim, ...config } = spec;
  return config;
}

/** The grid section of a spec; a spec without `sweep:` is a grid of one cell. */
export function gridOf(spec: Spec): GridSweep {
  const s = spec.sweep;
  return {
    batchSize: s?.batchSize ?? [spec.train.batchSize],
    lr: s?.lr ?? [spec.train.lr],
    referenceBatchSize: s?.referenceBatchSize ?? spec.train.batchSize,
    scaling: s?.scaling ?? ['none'],
    warmupEpochs: s?.warmupEpochs,
    maxLr: s?.maxLr,
    seeds: s?.seeds ?? [spec.train.seed],
    axes: s?.axes ?? {},
  };
}

/**
 * Expands the grid and re-validates every run's config (an axis may change a key whose
 * neighbours then need defaults or break a cross-field rule). Ids hash the resolved config.
 */
export function planSweep(spec: Spec): PlannedRun[] {
  const arms = spec.sweep?.arms;
  const planned = arms
    ? arms.flatMap((arm) => {
      const armSpec = applyArm(spec, arm.set);
      const grid = gridOf(armSpec);
      return expandGrid(runConfigOf(armSpec), { ...grid, axes: { ...grid.axes, ...arm.axes } }, OPTIONAL_AXIS_PATHS)
        .map((p) => ({ ...p, meta: { ...p.meta, axes: { arm: arm.name, ...p.meta.axes } } }));
    })
    : expandGrid(runConfigOf(spec), gridOf(spec), OPTIONAL_AXIS_PATHS);
  const issues: Issue[] = [];
  const runs: PlannedRun[] = [];
  for (const p of planned) {
    const checked = validateSpec(p.config);
    if (!checked.ok) {
      const where = Object.entries(p.meta.axes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
      for (const i of checked.issues) {
        issues.push({ path: i.path, message: `${i.message} (in the run with batchSize=${p.meta.batchSize}${where ? `, ${where}` : ''})` });
      }
      continue;
    }
    const config = runConfigOf(checked.spec);
    const meta = { ...p.meta };
    const idMeta = arms ? { scalingRule: meta.scalingRule, baseLr: meta.baseLr, arm: meta.axes.arm } : { scalingRule: meta.scalingRule, baseLr: meta.baseLr };
    runs.push({ runId: runId(config, idMeta), config, meta });
  }
  if (issues.length) throw new UsageError('the sweep plans invalid runs', dedupe(issues));
  return runs;
}

const BUDGET_KEYS = ['train.epochs', 'train.steps', 'train.examples'];

/**
 * The spec with an arm's `set` applied: config paths change the runs, `sweep.*` paths change this
 * arm's grid (e.g. its scaling rules or LRs); an arm that sets a budget replaces the base's.
 */
export function applyArm(spec: Spec, set: Record<string, unknown>): Spec {
  const paths = Object.keys(set);
  const out = applyOverrides(spec, paths.map((path) => ({ path, value: set[path] }))) as unknown as Spec;
  if (paths.some((p) => BUDGET_KEYS.includes(p))) {
    for (const key of BUDGET_KEYS) {
      if (!paths.includes(key)) delete (out.train as Record<string, unknown>)[key.slice('train.'.length)];
    }
  }
  return out;
}

/**
 * Extra summary columns of a sweep: `arm` when it has arms, then each axis path, then the axes of
 * single arms (empty in the rows of the other arms).
 */
export function sweepColumns(spec: Spec): string[] {
  const shared = Object.keys(spec.sweep?.axes ?? {});
  const ofArms = (spec.sweep?.arms ?? []).flatMap((arm) => Object.keys(arm.axes ?? {}));
  return [...(spec.sweep?.arms ? ['arm'] : []), ...new Set([...shared, ...ofArms])];
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.path}|${i.message}`) && Boolean(seen.add(`${i.path}|${i.message}`)));
}

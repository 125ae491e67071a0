/** A spec with a `sweep:` section -> the validated list of runs it plans, in grid order. */
import { expandGrid, type SweepSpec as GridSweep } from '../core/grid.ts';
import { runId } from '../core/run-id.ts';
import type { RunConfig, Spec } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { UsageError, type Issue } from '../errors.ts';
import type { PlannedRun } from './execute-run.ts';

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
  const planned = expandGrid(runConfigOf(spec), gridOf(spec));
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
    runs.push({ runId: runId(config, { scalingRule: meta.scalingRule, baseLr: meta.baseLr }), config, meta });
  }
  if (issues.length) throw new UsageError('the sweep plans invalid runs', dedupe(issues));
  return runs;
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.path}|${i.message}`) && Boolean(seen.add(`${i.path}|${i.message}`)));
}

/**
 * Sweep grid expansion: one base configuration plus a resolved grid become the cells to train,
 * each with its own full configuration and its place in the grid. Inputs are already
 * validated (config/schema.ts and config/rules.ts); ids and per-run validation are the
 * planner's (runner/plan.ts).
 */

import { setPath } from './paths.ts';
import { scaleLr, type ScalingRule } from './scaling.ts';

/** A sweep's grid with every default resolved (runner/plan.ts fills them from the spec). */
export interface Grid {
  /** Batch sizes to train at, in examples; at least one. */
  batchSizes: number[];
  /** Base LRs, each tuned at `referenceBatchSize`; at least one. */
  baseLrs: number[];
  /** B0: the batch size at which each base LR holds unscaled, in examples. */
  referenceBatchSize: number;
  /** Scaling rules applied to every (batch size, base LR) pair; at least one. */
  scalingRules: ScalingRule[];
  /** Warmup length in epochs for runs whose scaled LR exceeds the base LR (Goyal et al.). */
  warmupEpochs?: number;
  /** Upper bound on any scaled LR. */
  maxLr?: number;
  /** Seeds (`train.seed`); at least one. */
  seeds: number[];
  /** Further axes: dotted config path -> values (config/rules.ts checks the paths). */
  axes: Record<string, unknown[]>;
}

/** Where a run sits in its sweep, and the LR the plan derived for it. */
export interface RunMeta {
  /** B, in examples. */
  batchSize: number;
  /** The unscaled LR this run's cell was planned from. */
  baseLr: number;
  /** The scaled (and possibly capped) peak LR written to `train.lr`. */
  lr: number;
  scalingRule: ScalingRule;
  /** B / B0: how many times the reference batch size this run trains at. */
  batchRatio: number;
  /** True when sweep.maxLr lowered the scaled LR. */
  capped: boolean;
  seed: number;
  /** Value of each extra axis by its dotted path; `arm` first in a sweep with arms. */
  axes: Record<string, unknown>;
}

/** One run of a plan: its id (core/run-id.ts), its full configuration and its place in the grid. */
export interface PlannedRun<C extends object> {
  runId: string;
  config: C;
  meta: RunMeta;
}

/** A cell of the grid before it has an id. */
export type GridCell<C extends object> = Omit<PlannedRun<C>, 'runId'>;

/**
 * Every cell of the grid, in a fixed order: batch size (outermost), base LR, scaling rule,
 * extra axes (in the order the axes object lists them, the first varying slowest), seed
 * (innermost, so the seeds of one cell sit together).
 *
 * Each cell's config is a deep copy of `base` with each axis value, `train.batchSize`,
 * `train.lr` (the scaled peak LR) and `train.seed` set. When `grid.warmupEpochs` is given and
 * the scaled LR exceeds the base LR, `train.schedule.warmupEpochs` is set to it and
 * `train.schedule.warmupFrom` to the base LR, so the LR ramps up from the base value.
 * An axis path may name a key `base` leaves unset (an optional key); its parent must exist.
 */
export function expandGrid<C extends object>(base: C, grid: Grid): GridCell<C>[] {
  const axisCells = cartesian(Object.entries(grid.axes));
  const cells: GridCell<C>[] = [];
  for (const batchSize of grid.batchSizes) {
    for (const baseLr of grid.baseLrs) {
      for (const scalingRule of grid.scalingRules) {
        const { lr, batchRatio, capped } = scaleLr(scalingRule, baseLr, batchSize, grid.referenceBatchSize, grid.maxLr);
        for (const axes of axisCells) {
          for (const seed of grid.seeds) {
            let config = structuredClone(base);
            // createLeaf: an optional key the base leaves unset.
            for (const [path, value] of Object.entries(axes)) config = setPath(config, path, structuredClone(value), { createLeaf: true });
            config = setPath(config, 'train.batchSize', batchSize);
            config = setPath(config, 'train.lr', lr);
            config = setPath(config, 'train.seed', seed);
            if (grid.warmupEpochs !== undefined && lr > baseLr) {
              config = setPath(config, 'train.schedule.warmupEpochs', grid.warmupEpochs);
              config = setPath(config, 'train.schedule.warmupFrom', baseLr, { createLeaf: true });
            }
            cells.push({ config, meta: { batchSize, baseLr, lr, scalingRule, batchRatio, capped, seed, axes } });
          }
        }
      }
    }
  }
  return cells;
}

/** All combinations of axis values; one empty combination when there are no axes. */
function cartesian(axes: [string, unknown[]][]): Record<string, unknown>[] {
  let cells: Record<string, unknown>[] = [{}];
  for (const [path, values] of axes) {
    cells = cells.flatMap((cell) => values.map((v) => ({ ...cell, [path]: v })));
  }
  return cells;
}

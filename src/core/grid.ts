/**
 * Sweep grid expansion: one resolved base configuration plus a sweep section become the
 * list of runs to train, each with its own full configuration and a run id.
 */

import { UsageError, type Issue } from '../errors.ts';
import { getPath, hasPath, setPath } from './paths.ts';
import { runId } from './run-id.ts';
import { SCALING_RULE_NAMES, isScalingRule, scaleLr, type ScalingRule } from './scaling.ts';

export interface SweepSpec {
  /** Batch sizes to train at, in examples; empty = the base `train.batchSize`. */
  batchSize: number[];
  /** Base LRs, tuned at `referenceBatchSize`; empty = the base `train.lr`. */
  lr: number[];
  /** B0: the batch size at which each base LR holds unscaled. */
  referenceBatchSize: number;
  /** Scaling rules applied to every (batchSize, lr) pair; empty = ['none']. */
  scaling: ScalingRule[];
  /** Warmup length in epochs for runs whose scaled LR exceeds the base LR (Goyal et al.). */
  warmupEpochs?: number;
  /** Upper bound on any scaled LR. */
  maxLr?: number;
  /** Seeds (`train.seed`); empty = the base seed. */
  seeds: number[];
  /** Further axes: dotted config path -> values; every path must exist in the base. */
  axes?: Record<string, unknown[]>;
}

export interface RunMeta {
  batchSize: number;
  /** The unscaled LR this run's cell was planned from. */
  baseLr: number;
  /** The scaled (and possibly capped) peak LR written to `train.lr`. */
  lr: number;
  scalingRule: ScalingRule;
  /** B / B0. */
  k: number;
  /** True when sweep.maxLr lowered the scaled LR. */
  capped: boolean;
  seed: number;
  /** Value of each extra axis, by its dotted path. */
  axes: Record<string, unknown>;
}

export interface PlannedRun<C extends object = Record<string, unknown>> {
  /** runId(config, { scalingRule, baseLr }); see expandGrid. */
  id: string;
  config: C;
  meta: RunMeta;
}

/** Paths the sweep writes itself, so an axis must not name them. */
const OWN_PATHS: Record<string, string> = {
  'train.batchSize': 'sweep.batchSize',
  'train.lr': 'sweep.lr',
  'train.seed': 'sweep.seeds',
  'train.schedule.warmupEpochs': 'sweep.warmupEpochs',
  'train.schedule.warmupFrom': 'sweep.warmupEpochs',
};

/**
 * Every run of the sweep, in a fixed order: batch size (outermost), base LR, scaling rule,
 * extra axes (in the order the axes object lists them, the first varying slowest), seed
 * (innermost, so the seeds of one cell sit together).
 *
 * Each run's config is a deep copy of `base` with `train.batchSize`, `train.lr` (the scaled
 * peak LR), `train.seed` and each axis value set. When `sweep.warmupEpochs` is given and the
 * scaled LR exceeds the base LR, `train.schedule.warmupEpochs` is set to it and
 * `train.schedule.warmupFrom` to the base LR, so the LR ramps up from the base value.
 *
 * Ids hash the config together with the scaling rule and base LR: `none` and `linear` at
 * B = B0 train identical configs but are different cells of the grid, and keep distinct ids.
 * Runs that repeat an earlier id (a value listed twice) are dropped.
 *
 * An axis path must exist in `base`, or be one of `optionalPaths` (keys the schema knows but
 * leaves unset, e.g. model.ghostBatchSize) whose parent exists.
 *
 * Throws UsageError listing every problem with the sweep (paths `sweep.*`) or a missing
 * base key.
 */
export function expandGrid<C extends object>(
  base: C, sweep: SweepSpec, optionalPaths: ReadonlySet<string> = new Set(),
): PlannedRun<C>[] {
  const issues = validateSweep(base, sweep, optionalPaths);
  if (issues.length > 0) throw new UsageError('invalid sweep', issues);

  const batchSizes = orDefault(sweep.batchSize, () => getPath(base, 'train.batchSize') as number);
  const baseLrs = orDefault(sweep.lr, () => getPath(base, 'train.lr') as number);
  const seeds = orDefault(sweep.seeds, () => getPath(base, 'train.seed') as number);
  const rules = orDefault<ScalingRule>(sweep.scaling, () => 'none');
  const axisCells = cartesian(Object.entries(sweep.axes ?? {}));

  const runs: PlannedRun<C>[] = [];
  const seen = new Set<string>();
  for (const batchSize of batchSizes) {
    for (const baseLr of baseLrs) {
      for (const scalingRule of rules) {
        const { lr, k, capped } = scaleLr(scalingRule, baseLr, batchSize, sweep.referenceBatchSize, sweep.maxLr);
        for (const axes of axisCells) {
          for (const seed of seeds) {
            let config = structuredClone(base);
            // createLeaf: an optional key the base leaves unset (checked by validateSweep).
            for (const [path, value] of Object.entries(axes)) config = setPath(config, path, structuredClone(value), { createLeaf: true });
            config = setPath(config, 'train.batchSize', batchSize);
            config = setPath(config, 'train.lr', lr);
            config = setPath(config, 'train.seed', seed);
            if (sweep.warmupEpochs !== undefined && lr > baseLr) {
              config = setPath(config, 'train.schedule.warmupEpochs', sweep.warmupEpochs);
              config = setPath(config, 'train.schedule.warmupFrom', baseLr, { createLeaf: true });
            }
            const id = runId(config, { scalingRule, baseLr });
            if (seen.has(id)) continue;
            seen.add(id);
            runs.push({ id, config, meta: { batchSize, baseLr, lr, scalingRule, k, capped, seed, axes } });
          }
        }
      }
    }
  }
  return runs;
}

function orDefault<T>(values: T[], fallback: () => T): T[] {
  return values.length > 0 ? values : [fallback()];
}

/** All combinations of axis values; one empty combination when there are no axes. */
function cartesian(axes: [string, unknown[]][]): Record<string, unknown>[] {
  let cells: Record<string, unknown>[] = [{}];
  for (const [path, values] of axes) {
    cells = cells.flatMap((cell) => values.map((v) => ({ ...cell, [path]: v })));
  }
  return cells;
}

function validateSweep(base: object, sweep: SweepSpec, optionalPaths: ReadonlySet<string>): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const eachOf = (name: keyof SweepSpec, check: (v: unknown) => boolean, expected: string) => {
    const list = sweep[name];
    if (!Array.isArray(list)) return add(`sweep.${name}`, `expected an array, got ${String(list)}`);
    list.forEach((v, i) => {
      if (!check(v)) add(`sweep.${name}[${i}]`, `expected ${expected}, got ${String(v)}`);
    });
  };
  const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

  eachOf('batchSize', positiveInt, 'an integer >= 1');
  eachOf('lr', positive, 'a finite number > 0');
  eachOf('scaling', isScalingRule, `one of ${SCALING_RULE_NAMES.join(', ')}`);
  eachOf('seeds', Number.isInteger, 'an integer');
  if (!positiveInt(sweep.referenceBatchSize)) {
    add('sweep.referenceBatchSize', `expected an integer >= 1, got ${String(sweep.referenceBatchSize)}`);
  }
  if (sweep.maxLr !== undefined && !positive(sweep.maxLr)) add('sweep.maxLr', `expected a finite number > 0, got ${String(sweep.maxLr)}`);
  if (sweep.warmupEpochs !== undefined) {
    const w = sweep.warmupEpochs;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) add('sweep.warmupEpochs', `expected a finite number >= 0, got ${String(w)}`);
    else if (!hasPath(base, 'train.schedule.warmupEpochs')) {
      add('sweep.warmupEpochs', 'the base configuration has no train.schedule.warmupEpochs to set');
    }
  }
  for (const required of ['train.batchSize', 'train.lr', 'train.seed']) {
    if (!hasPath(base, required)) add(required, 'missing from the base configuration');
  }
  for (const [path, values] of Object.entries(sweep.axes ?? {})) {
    const at = `sweep.axes.${path}`;
    if (OWN_PATHS[path] !== undefined) add(at, `set by ${OWN_PATHS[path]}, not by an axis`);
    else if (!safeHasPath(base, path) && !(optionalPaths.has(path) && safeHasPath(base, parentOf(path)))) {
      add(at, 'unknown config path: it does not exist in the base configuration');
    }
    if (!Array.isArray(values) || values.length === 0) add(at, 'expected a non-empty array of values');
  }
  return issues;
}

/** 'model.ghostBatchSize' -> 'model'. */
function parentOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot > 0 ? path.slice(0, dot) : '';
}

function safeHasPath(base: object, path: string): boolean {
  if (path === '') return false;
  try {
    return hasPath(base, path);
  } catch {
    return false; // a malformed path is reported as unknown
  }
}

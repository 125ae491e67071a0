/**
 * The planner: a validated spec -> the runs it trains, each with its id, its full configuration,
 * its scaled LR and its place in the grid (arm, axes), in plan order. `batchlab run`, `sweep`
 * and `sweep --dry-run` plan through these functions; `sweep` records the planned ids in
 * sweep.json, so `merge` orders rows without planning again.
 *
 * Pure and synchronous (no files, no clock, no backend); reading the spec is the caller's
 * (config/read-spec.ts). It lives in runner/, above config/, because a run is only known to be
 * valid once its axis values are set: each arm and each run is validated here, through
 * config/validate.ts, and nowhere else. core/grid.ts does the plain cross product.
 */
import { applyArm } from '../config/arms.ts';
import type { RunConfig, Spec } from '../config/schema.ts';
import { validateSpec } from '../config/validate.ts';
import { expandGrid, type Grid, type GridCell, type PlannedRun } from '../core/grid.ts';
import { canonicalJson, runId } from '../core/run-id.ts';
import { selectShard, type Shard } from '../core/shard.ts';
import { UsageError, type Issue } from '../errors.ts';

/**
 * The content hashes of the inputs a sweep varies (runner/input-hashes.ts): a run whose data or
 * user model differs from the spec's base (set by an arm or an axis) takes its own data.hash or
 * model.hash from here, keyed by `inputKey` of that section without its hash. Without it every run
 * carries the base's hashes, which describe only the base's files.
 */
export interface InputHashes {
  data: ReadonlyMap<string, string>;
  model: ReadonlyMap<string, string>;
}

/** The key of a data or model section in InputHashes: its canonical JSON without `hash`. */
export function inputKey(section: object): string {
  const { hash: _hash, ...rest } = section as { hash?: unknown };
  return canonicalJson(rest);
}

export interface SweepPlan {
  /** Every run of the spec, in plan order: the order of summary.csv rows and of shard positions. */
  runs: PlannedRun<RunConfig>[];
  /** The runs this process trains: all of `runs`, or the given shard's, in plan order. */
  selected: PlannedRun<RunConfig>[];
}

/**
 * Plans every run of `spec` (a grid of one cell without `sweep:`), crossed with its arms, and
 * selects `shard` of them when given. Order: arm (outermost), then core/grid.ts's order.
 * Throws UsageError listing every problem an arm or a planned run has, each naming its cell.
 */
export function planSweep(spec: Spec, shard?: Shard, hashes?: InputHashes): SweepPlan {
  const issues: Issue[] = [];
  const runs: PlannedRun<RunConfig>[] = [];
  const seen = new Set<string>();
  const add = (run: PlannedRun<RunConfig>) => {
    // Two cells whose configs only differ in defaults the schema fills are one run.
    if (!seen.has(run.runId)) runs.push(run);
    seen.add(run.runId);
  };
  const arms = spec.sweep?.arms;
  if (!arms) {
    planCells(spec, undefined, issues, hashes).forEach(add);
  } else {
    for (const arm of arms) {
      const armSpec = validateArm(spec, arm, issues);
      if (armSpec) planCells(armSpec, arm.name, issues, hashes).forEach(add);
    }
  }
  if (issues.length) throw new UsageError('the sweep plans invalid runs', dedupe(issues));
  return { runs, selected: shard ? selectShard(runs, shard.index, shard.count) : runs };
}

/** The one run `batchlab run` trains: the base configuration of `spec`, its `sweep:` section ignored. */
export function planSingleRun(spec: Spec): PlannedRun<RunConfig> {
  const { sweep: _sweep, ...single } = spec;
  return planSweep(single).runs[0]!;
}

/** A spec without its `sweep:` and `claim:` sections: the configuration one run trains. */
export function runConfigOf(spec: Spec): RunConfig {
  const { sweep: _sweep, claim: _claim, ...config } = spec;
  return config;
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

type Arm = NonNullable<NonNullable<Spec['sweep']>['arms']>[number];

/**
 * An arm as a sweep of its own (its `set` applied, the shared axes joined by its own, no arms),
 * validated: this checks what the arm changes, including the `sweep.*` keys it sets and whether
 * its axes name keys its configuration has. Undefined, with issues added, when it is invalid.
 */
function validateArm(spec: Spec, arm: Arm, issues: Issue[]): Spec | undefined {
  const armSpec = applyArm(spec, arm.set);
  // Unvalidated until here: `set: { sweep: ... }` may have replaced the section with anything.
  const { arms: _arms, ...sweep } = (armSpec.sweep ?? {}) as Partial<NonNullable<Spec['sweep']>>;
  const checked = validateSpec({ ...runConfigOf(armSpec), sweep: { ...sweep, axes: { ...sweep.axes, ...arm.axes } } });
  if (checked.ok) return checked.spec;
  issues.push(...checked.issues.map((i) => ({ path: i.path, message: `${i.message} (in arm ${JSON.stringify(arm.name)})` })));
  return undefined;
}

/** The grid of a spec with its defaults resolved: a spec without `sweep:` is a grid of one cell. */
function gridOf(spec: Spec): Grid {
  const s = spec.sweep;
  return {
    batchSizes: s?.batchSize ?? [spec.train.batchSize],
    baseLrs: s?.lr ?? [spec.train.lr],
    referenceBatchSize: s?.referenceBatchSize ?? spec.train.batchSize,
    scalingRules: s?.scaling ?? ['none'],
    warmupEpochs: s?.warmupEpochs,
    maxLr: s?.maxLr,
    seeds: s?.seeds ?? [spec.train.seed],
    axes: s?.axes ?? {},
  };
}

/**
 * The runs of one grid (the whole spec, or one arm), each validated once and given its id:
 * the hash of its validated configuration with its scaling rule and base LR (so `none` and
 * `linear` at B = B0 stay distinct cells) and, in a sweep with arms, the arm's name.
 */
function planCells(spec: Spec, arm: string | undefined, issues: Issue[], hashes?: InputHashes): PlannedRun<RunConfig>[] {
  const cells: GridCell<RunConfig>[] = expandGrid(runConfigOf(spec), gridOf(spec));
  return cells.flatMap((cell) => {
    const meta = arm === undefined ? cell.meta : { ...cell.meta, axes: { arm, ...cell.meta.axes } };
    const checked = validateSpec(cell.config);
    if (!checked.ok) {
      issues.push(...checked.issues.map((i) => ({ path: i.path, message: `${i.message} (in the run with ${describeCell(meta)})` })));
      return [];
    }
    const config = withRunHashes(runConfigOf(checked.spec), hashes);
    const idMeta = arm === undefined
      ? { scalingRule: meta.scalingRule, baseLr: meta.baseLr }
      : { scalingRule: meta.scalingRule, baseLr: meta.baseLr, arm };
    return [{ runId: runId(resultConfig(config), idMeta), config, meta }];
  });
}

/** `config` with the data.hash and model.hash of its own inputs, where `hashes` has them. */
function withRunHashes(config: RunConfig, hashes: InputHashes | undefined): RunConfig {
  if (!hashes) return config;
  const dataHash = hashes.data.get(inputKey(config.data));
  const modelHash = hashes.model.get(inputKey(config.model));
  return {
    ...config,
    ...(dataHash !== undefined ? { data: { ...config.data, hash: dataHash } } : {}),
    ...(modelHash !== undefined ? { model: { ...config.model, hash: modelHash } } : {}),
  } as RunConfig;
}

function describeCell(meta: PlannedRun<RunConfig>['meta']): string {
  return [`batchSize=${meta.batchSize}`, ...Object.entries(meta.axes).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(', ');
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.path}|${i.message}`) && Boolean(seen.add(`${i.path}|${i.message}`)));
}

/**
 * The part of a run's config that can change its result, which is what its id hashes: how often
 * it is checkpointed does not (a resumed run is the uninterrupted one), so setting
 * `train.checkpointEvery` leaves every id as it was.
 */
function resultConfig(config: RunConfig): RunConfig {
  const { checkpointEvery: _every, ...train } = config.train;
  return { ...config, train } as RunConfig;
}

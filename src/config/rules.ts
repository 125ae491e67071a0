/** Named cross-field rules, checked after the schema has filled in defaults. */
import { hasPath } from '../core/paths.ts';
import type { Issue } from '../errors.ts';
import { badOverridePath } from './overrides.ts';
import { OPTIONAL_AXIS_PATHS, type Spec } from './schema.ts';

type Rule = (spec: Spec) => Issue[];

/** Datasets whose examples are vectors; file data of other formats is checked against the model before a run (runner/preflight.ts). */
const VECTOR_DATA = new Set(['teacher', 'blobs', 'csv']);

const exactlyOneBudget: Rule = ({ train }) => {
  const given = (['epochs', 'steps', 'examples'] as const).filter((k) => train[k] !== undefined);
  if (given.length === 1) return [];
  return [{
    path: 'train',
    message: given.length === 0
      ? 'expected exactly one budget of train.epochs | train.steps | train.examples, got none'
      : `expected exactly one budget of train.epochs | train.steps | train.examples, got ${given.join(' and ')}`,
  }];
};

const accumulationDividesBatch: Rule = ({ train, sweep }) => {
  const sizes = [train.batchSize, ...(sweep?.batchSize ?? [])];
  const bad = sizes.filter((b) => b % train.accumulation !== 0);
  return bad.length === 0 ? [] : [{
    path: 'train.accumulation',
    message: `expected a divisor of every batch size, got ${train.accumulation} (does not divide ${[...new Set(bad)].join(', ')})`,
  }];
};

const convNeedsImages: Rule = ({ model, data }) =>
  (model.name === 'cnn' || model.name === 'resnet') && VECTOR_DATA.has(data.name)
    ? [{ path: 'model.name', message: `expected mlp for vector data '${data.name}', got ${JSON.stringify(model.name)}` }]
    : [];

const ghostNeedsBatchNorm: Rule = ({ model }) =>
  model.ghostBatchSize !== undefined && model.norm !== 'batch'
    ? [{ path: 'model.ghostBatchSize', message: `expected only with model.norm 'batch', got norm ${JSON.stringify(model.norm)}` }]
    : [];

const milestonesAscending: Rule = ({ train }) => {
  const issues: Issue[] = [];
  for (const [path, list] of [['train.schedule.milestones', train.schedule.milestones], ['train.batchSchedule.milestones', train.batchSchedule.milestones]] as const) {
    if (list.some((m, i) => i > 0 && m <= list[i - 1])) {
      issues.push({ path, message: `expected strictly increasing epochs, got ${JSON.stringify(list)}` });
    }
  }
  return issues;
};

const noiseScaleBatches: Rule = ({ train }) => {
  const ns = train.noiseScale;
  return ns && ns.smallBatch >= ns.bigBatch
    ? [{ path: 'train.noiseScale.bigBatch', message: `expected more than smallBatch (${ns.smallBatch}), got ${ns.bigBatch}` }]
    : [];
};

const splitFitsMnist: Rule = ({ data }) =>
  data.name === 'mnist' && data.trainSize + data.testSize > 10000
    ? [{ path: 'data.trainSize', message: `expected trainSize + testSize <= 10000 (the mnist package holds 10k digits), got ${data.trainSize + data.testSize}` }]
    : [];

/** The validation split is carved from the train split and must leave train examples to train on. */
const validationLeavesTrain: Rule = ({ data }) => {
  const trainSize = data.trainSize ?? (data.name === 'fashion-mnist' ? 60000 : undefined);
  return data.validationSize !== undefined && trainSize !== undefined && data.validationSize >= trainSize
    ? [{ path: 'data.validationSize', message: `expected fewer than the ${trainSize} train examples it is carved from, got ${data.validationSize}` }]
    : [];
};

/** A value repeated in a list: each later copy is an issue at `path[i]` naming the first. */
function duplicatesIn(path: string, list: readonly unknown[]): Issue[] {
  const first = new Map<string, number>();
  const issues: Issue[] = [];
  list.forEach((value, i) => {
    const key = JSON.stringify(value) ?? String(value);
    const at = first.get(key);
    if (at === undefined) first.set(key, i);
    else issues.push({ path: `${path}[${i}]`, message: `expected each value once, got ${key.length > 60 ? `${key.slice(0, 57)}...` : key} again (already ${path}[${at}])` });
  });
  return issues;
}

const SWEEP_LISTS = ['batchSize', 'lr', 'scaling', 'seeds'] as const;

/** A value listed twice would plan the same run twice (or silently once): ambiguous, so refused. */
const noDuplicates: Rule = ({ sweep }) => {
  if (!sweep) return [];
  const issues: Issue[] = [];
  for (const key of SWEEP_LISTS) if (sweep[key]) issues.push(...duplicatesIn(`sweep.${key}`, sweep[key]!));
  for (const [path, values] of Object.entries(sweep.axes)) issues.push(...duplicatesIn(`sweep.axes.${path}`, values));
  if (sweep.arms) {
    const firstArm = new Map<string, number>();
    sweep.arms.forEach(({ name }, a) => {
      const at = firstArm.get(name);
      if (at === undefined) firstArm.set(name, a);
      else issues.push({ path: `sweep.arms[${a}].name`, message: `expected a name no other arm has, got ${JSON.stringify(name)} (already sweep.arms[${at}].name)` });
    });
    sweep.arms.forEach((arm, a) => {
      for (const key of SWEEP_LISTS) {
        const list = arm.set[`sweep.${key}`];
        if (Array.isArray(list)) issues.push(...duplicatesIn(`sweep.arms[${a}].set.sweep.${key}`, list));
      }
    });
  }
  return issues;
};

/** Arm `set` keys are override paths, like --set: dotted keys, none reaching a prototype. */
const armPaths: Rule = ({ sweep }) =>
  (sweep?.arms ?? []).flatMap((arm, a) => Object.keys(arm.set).flatMap((key) => {
    const why = badOverridePath(key);
    return why ? [{ path: `sweep.arms[${a}].set`, message: `${why}, got ${JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key)}` }] : [];
  }));

/** Paths the sweep writes itself, so an axis must not name them. */
const OWN_PATHS: Record<string, string> = {
  'train.batchSize': 'sweep.batchSize',
  'train.lr': 'sweep.lr',
  'train.seed': 'sweep.seeds',
  'train.schedule.warmupEpochs': 'sweep.warmupEpochs',
  'train.schedule.warmupFrom': 'sweep.warmupEpochs',
};

/** True when `path` names a key of `config`; false for a malformed path (reported as unknown). */
function safeHasPath(config: object, path: string): boolean {
  try {
    return path !== '' && hasPath(config, path);
  } catch {
    return false;
  }
}

/**
 * Axes (sweep.axes) that cannot be set in `spec`'s run configuration: a path the sweep sets itself,
 * or one that does not exist (unless it is an optional key whose parent exists).
 */
function axisPathIssues(spec: Spec, axes: Record<string, unknown[]>): Issue[] {
  const { sweep: _sweep, claim: _claim, ...config } = spec;
  return Object.keys(axes).flatMap((path) => {
    if (OWN_PATHS[path] !== undefined) return [{ path: `sweep.axes.${path}`, message: `set by ${OWN_PATHS[path]}, not by an axis` }];
    const parent = path.slice(0, Math.max(0, path.lastIndexOf('.')));
    const settable = safeHasPath(config, path) || (OPTIONAL_AXIS_PATHS.has(path) && safeHasPath(config, parent));
    return settable ? [] : [{ path: `sweep.axes.${path}`, message: 'unknown config path: it does not exist in the base configuration' }];
  });
}

/**
 * Every axis names a config key the sweep does not set itself. A sweep with arms is checked arm
 * by arm when it is planned (runner/plan.ts validates each arm as a sweep of its own), since an
 * arm may add the key its axis sets.
 */
const axesNameConfigKeys: Rule = (spec) =>
  spec.sweep && !spec.sweep.arms ? axisPathIssues(spec, spec.sweep.axes) : [];

const resnetDepth: Rule = ({ model }) =>
  model.name === 'resnet' && (model.depth < 8 || (model.depth - 2) % 6 !== 0)
    ? [{ path: 'model.depth', message: `expected 6n+2 with n >= 1 (8, 14, 20, ...), got ${model.depth}` }]
    : [];

/** The widths each built-in model normalises, as its factory builds them (models/*.ts); a user model's are checked when it is built. */
function normalisedWidths(model: Spec['model']): number[] {
  if (model.name === 'mlp') return model.hidden;
  if (model.name === 'cnn') return model.channels;
  if (model.name === 'resnet') return [model.width, 2 * model.width, 4 * model.width];
  return [];
}

const groupsDivideWidths: Rule = ({ model }) => {
  if (model.norm !== 'group') return [];
  const bad = [...new Set(normalisedWidths(model).filter((w) => w % model.groups !== 0))];
  return bad.length === 0 ? [] : [{
    path: 'model.groups',
    message: `expected a divisor of every normalised width (${bad.join(', ')} channel${bad.length === 1 && bad[0] === 1 ? '' : 's'} of ${model.name}), got ${model.groups}`,
  }];
};

/**
 * Each rule with the spec paths it reads ('*': the whole spec). When the schema refuses some keys,
 * the rules that read none of them still run (validate.ts), so every problem is listed at once.
 */
export const RULES: Record<string, { reads: readonly string[]; check: Rule }> = {
  noDuplicates: { reads: ['sweep'], check: noDuplicates },
  armPaths: { reads: ['sweep.arms'], check: armPaths },
  axesNameConfigKeys: { reads: ['*'], check: axesNameConfigKeys },
  resnetDepth: { reads: ['model.name', 'model.depth'], check: resnetDepth },
  groupsDivideWidths: { reads: ['model'], check: groupsDivideWidths },
  exactlyOneBudget: { reads: ['train.epochs', 'train.steps', 'train.examples'], check: exactlyOneBudget },
  accumulationDividesBatch: { reads: ['train.batchSize', 'train.accumulation', 'sweep.batchSize'], check: accumulationDividesBatch },
  convNeedsImages: { reads: ['model.name', 'data.name'], check: convNeedsImages },
  ghostNeedsBatchNorm: { reads: ['model.ghostBatchSize', 'model.norm'], check: ghostNeedsBatchNorm },
  milestonesAscending: { reads: ['train.schedule.milestones', 'train.batchSchedule.milestones'], check: milestonesAscending },
  noiseScaleBatches: { reads: ['train.noiseScale'], check: noiseScaleBatches },
  splitFitsMnist: { reads: ['data'], check: splitFitsMnist },
  validationLeavesTrain: { reads: ['data'], check: validationLeavesTrain },
};

/** True when dotted paths `a` and `b` are the same key or one lies inside the other. */
const overlaps = (a: string, b: string) => a === '*' || b === '*' || a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/** Every rule's issues; with `refused` (paths the schema refused), only the rules that read none of them. */
export function checkRules(spec: Spec, refused: readonly string[] = []): Issue[] {
  return Object.values(RULES)
    .filter(({ reads }) => !reads.some((r) => refused.some((f) => overlaps(r, f))))
    .flatMap(({ check }) => check(spec));
}

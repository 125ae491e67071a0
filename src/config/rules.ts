/** Named cross-field rules, checked after the schema has filled in defaults. */
import type { Issue } from '../errors.ts';
import type { Spec } from './schema.ts';

type Rule = (spec: Spec) => Issue[];

const IMAGE_DATA = new Set(['mnist', 'fashion-mnist']);

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
  model.name !== 'mlp' && !IMAGE_DATA.has(data.name)
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

export const RULES: Record<string, Rule> = {
  exactlyOneBudget,
  accumulationDividesBatch,
  convNeedsImages,
  ghostNeedsBatchNorm,
  milestonesAscending,
  noiseScaleBatches,
  splitFitsMnist,
};

export function checkRules(spec: Spec): Issue[] {
  return Object.values(RULES).flatMap((rule) => rule(spec));
}

import { describe, expect, it } from 'vitest';
import { applyOverrides, parseOverrides } from './overrides.ts';
import { validateSpec } from './validate.ts';

const base = { train: { epochs: 1 } };
const issuesOf = (doc: unknown) => {
  const r = validateSpec(doc);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('validateSpec', () => {
  it('fills defaults for a minimal spec', () => {
    const r = validateSpec(base);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.data).toEqual({ name: 'mnist', trainSize: 8000, testSize: 2000, seed: 0 });
    expect(r.spec.model).toMatchObject({ name: 'mlp', hidden: [256, 128], norm: 'none' });
    expect(r.spec.optimizer).toMatchObject({ name: 'sgd', momentum: 0 });
    expect(r.spec.train).toMatchObject({ batchSize: 64, accumulation: 1, epochs: 1 });
    expect(r.spec.train.schedule.name).toBe('constant');
  });

  it.each([
    [{ train: { epochs: -1 } }, 'train.epochs: expected a positive number, got -1'],
    [{ train: { steps: 1.5 } }, 'train.steps: expected a positive integer, got 1.5'],
    [{ train: { epochs: 1, batchSize: 'big' } }, 'train.batchSize: expected a positive integer, got "big"'],
    [{ train: { epochs: 1, epoch: 2 } }, "train.epoch: unknown key (did you mean 'epochs'?)"],
    [{ train: { epochs: 1 }, modle: {} }, "modle: unknown key (did you mean 'model'?)"],
    [{ train: { epochs: 1 }, model: { name: 'mlp', norm: 'batchnorm' } }, 'model.norm: expected one of none | batch | group | layer, got "batchnorm"'],
    [{ train: {} }, 'train: expected exactly one budget of train.epochs | train.steps | train.examples, got none'],
    [{ train: { epochs: 1, steps: 3 } }, 'train: expected exactly one budget of train.epochs | train.steps | train.examples, got epochs and steps'],
    [{ train: { epochs: 1, batchSize: 10, accumulation: 4 } }, 'train.accumulation: expected a divisor of every batch size, got 4 (does not divide 10)'],
    [{ train: { epochs: 1 }, data: { name: 'teacher' }, model: { name: 'cnn' } }, "model.name: expected mlp for vector data 'teacher', got \"cnn\""],
    [{ train: { epochs: 1 }, data: { name: 'mnist', trainSize: 9000, testSize: 2000 } }, 'data.trainSize: expected trainSize + testSize <= 10000 (the mnist package holds 10k digits), got 11000'],
    [{ train: { epochs: 1 }, data: { name: 'mnist', trainSize: 500, validationSize: 500 } }, 'data.validationSize: expected fewer than the 500 train examples it is carved from, got 500'],
    [{ train: { epochs: 1 }, data: { name: 'fashion-mnist', validationSize: 60000 } }, 'data.validationSize: expected fewer than the 60000 train examples it is carved from, got 60000'],
    [{ train: { epochs: 1 }, data: { name: 'blobs', validationSize: 0 } }, 'data.validationSize: expected a positive integer, got 0'],
    [{ train: { epochs: 1 }, model: { name: 'mlp', ghostBatchSize: 8 } }, "model.ghostBatchSize: expected only with model.norm 'batch', got norm \"none\""],
  ])('reports %j', (doc, expected) => {
    expect(issuesOf(doc)).toContain(expected);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf({ train: { epochs: 0, lr: -2, momentum: 1 }, optimizer: { name: 'sgd', momentum: 2 } });
    expect(issues).toHaveLength(4);
  });

  it.each([
    ['a misspelt model key beside a cnn on vector data', { train: { epochs: 1 }, data: { name: 'blobs' }, model: { name: 'cnn', hidden: [8] } },
      ['model.hidden: unknown key', "model.name: expected mlp for vector data 'blobs', got \"cnn\""]],
    ['a bad batch size beside two budgets', { train: { epochs: 1, steps: 2, batchSize: 0 } },
      ['train.batchSize: expected a positive integer, got 0', 'train: expected exactly one budget of train.epochs | train.steps | train.examples, got epochs and steps']],
    ['an unknown data set beside a bad resnet depth', { train: { epochs: 1 }, data: { name: 'cifar' }, model: { name: 'resnet', depth: 10 } },
      ['data.name: expected a dataset: one of mnist | fashion-mnist | teacher | blobs | csv | npy | npz | idx | images, got "cifar"', 'model.depth: expected 6n+2 with n >= 1 (8, 14, 20, ...), got 10']],
  ])('when the schema refuses keys, still runs the rules that read none of them: %s', (_name, doc, expected) => {
    expect(issuesOf(doc).sort()).toEqual([...expected].sort());
  });

  it.each([
    // the refused key is what the rule reads: its default must not stand in and raise a false issue
    ['an unknown model on vector data', { train: { epochs: 1 }, data: { name: 'teacher' }, model: { name: 'vgg' } }, 'model.name'],
    ['an unknown data set under a cnn', { train: { epochs: 1 }, data: { name: 'cifar' }, model: { name: 'cnn' } }, 'data.name'],
    ['a bad budget value beside another budget', { train: { epochs: -1, steps: 2 } }, 'train.epochs'],
  ])('skips the rules that read a refused key: %s', (_name, doc, path) => {
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^${path.replace('.', '\\.')}: `));
  });
});

describe('overrides', () => {
  it('parses YAML values and writes them at their paths', () => {
    const { overrides, issues } = parseOverrides(['sweep.seeds=[1, 2]', 'train.epochs=1', 'model.norm=batch', 'train.lr=0.1']);
    expect(issues).toEqual([]);
    const doc = applyOverrides({ train: { epochs: 3 } }, overrides);
    expect(doc).toEqual({ train: { epochs: 1, lr: 0.1 }, sweep: { seeds: [1, 2] }, model: { norm: 'batch' } });
  });

  it('rejects malformed assignments', () => {
    expect(parseOverrides(['noequals', '=3', 'a..b=1']).issues).toHaveLength(3);
  });
});

describe('override paths cannot reach a prototype', () => {
  const hostile = ['__proto__.polluted', 'constructor.prototype.polluted', 'train.__proto__.polluted', 'a.constructor.prototype.polluted', 'prototype.polluted'];

  it.each(hostile)('--set %s=1 is a bad path', (path) => {
    const { overrides, issues } = parseOverrides([`${path}=1`]);
    expect(overrides).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('--set');
  });

  it.each(hostile)('applyOverrides refuses %s and Object.prototype stays clean', (path) => {
    const err = (() => {
      try {
        applyOverrides({}, [{ path, value: 1 }]);
      } catch (e) {
        return e as { issues?: { message: string }[] };
      }
    })();
    expect(err?.issues?.[0]?.message).toMatch(/is not a config key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('a spec whose arms set a prototype path is refused, and a YAML __proto__ key stays an own key', async () => {
    const { parseYamlLimited } = await import('./read-yaml.ts');
    const parsed = parseYamlLimited('train: { epochs: 1 }\nsweep: { batchSize: [8], arms: [{ name: a, set: { __proto__.polluted: 1 } }] }\n');
    expect(parsed.ok).toBe(true);
    expect(issuesOf(parsed.ok ? parsed.value : null)).toContain("sweep.arms[0].set: '__proto__' is not a config key, got \"__proto__.polluted\"");
    const own = parseYamlLimited('train: { epochs: 1 }\n__proto__: { polluted: 1 }\n');
    expect(issuesOf(own.ok ? own.value : null)).toContain('__proto__: unknown key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('ambiguous specs', () => {
  it.each([
    [{ sweep: { batchSize: [16, 32, 16] } }, 'sweep.batchSize[2]: expected each value once, got 16 again (already sweep.batchSize[0])'],
    [{ sweep: { batchSize: [16], seeds: [1, 1] } }, 'sweep.seeds[1]: expected each value once, got 1 again (already sweep.seeds[0])'],
    [{ sweep: { batchSize: [16], axes: { 'model.norm': ['batch', 'batch'] } } }, 'sweep.axes.model.norm[1]: expected each value once, got "batch" again (already sweep.axes.model.norm[0])'],
    [{ sweep: { batchSize: [16], arms: [{ name: 'a' }, { name: 'a' }] } }, 'sweep.arms[1].name: expected a name no other arm has, got "a" (already sweep.arms[0].name)'],
    [{ sweep: { batchSize: [16], arms: [] } }, 'sweep.arms: expected a non-empty list of arms { name, set, axes }, got []'],
    [{ arms: [{ name: 'a' }] }, "arms: unknown key (did you mean 'sweep.arms'?)"],
    [{ claim: { id: 'C', statement: 's', metric: 'final_test_acc', test: { kind: 'anova' }, expect: { above: 0 } } }, expect.stringMatching(/^claim\.test\.kind: expected a test/)],
    [{ claim: 'C2' }, 'claim: expected a claim block ({ id, statement, metric, test, expect }) or a non-empty list of them, got "C2"'],
    [{ name: 'n'.repeat(101) }, expect.stringMatching(/^name: expected a name of at most 100 characters/)],
    [{ model: { name: 'resnet', depth: 12 } }, 'model.depth: expected 6n+2 with n >= 1 (8, 14, 20, ...), got 12'],
    [{ model: { name: 'mlp', hidden: [30], norm: 'group', groups: 4 } }, 'model.groups: expected a divisor of every normalised width (30 channels of mlp), got 4'],
    [{ model: { name: 'mlp', hidden: [12], norm: 'group', groups: 8 } }, 'model.groups: expected a divisor of every normalised width (12 channels of mlp), got 8'],
    [{ model: { name: 'resnet', width: 6, norm: 'group', groups: 4 } }, 'model.groups: expected a divisor of every normalised width (6 channels of resnet), got 4'],
    [{ model: { name: 'mlp', norm: 'layer', ghostBatchSize: 4 } }, "model.ghostBatchSize: expected only with model.norm 'batch', got norm \"layer\""],
    [{ sweep: { batchSize: [16], axes: { 'model.widht': [1] } } }, 'sweep.axes.model.widht: unknown config path: it does not exist in the base configuration'],
    [{ sweep: { batchSize: [16], axes: { 'train.lr': [0.1] } } }, 'sweep.axes.train.lr: set by sweep.lr, not by an axis'],
    [{ sweep: { batchSize: [16], axes: { 'sweep.lr': [[0.1]] } } }, 'sweep.axes.sweep.lr: unknown config path: it does not exist in the base configuration'],
  ])('refuses %j', (doc, expected) => {
    expect(issuesOf({ ...base, ...doc })).toContainEqual(expected);
  });
});

describe('shapes and ranges are the schema\'s, with field paths', () => {
  const paths = (doc: unknown) => {
    const r = validateSpec({ ...base, ...(doc as object) });
    return r.ok ? [] : r.issues.map((i) => i.path);
  };
  it.each([
    // depth 9 is reported beside the refused width: the depth rule reads no refused key
    [{ model: { name: 'resnet', depth: 9, width: 0 } }, ['model.width', 'model.depth']],
    [{ model: { name: 'resnet', depth: 9 } }, ['model.depth']],
    [{ model: { name: 'mlp', hidden: [8, 0], dropout: 1 } }, ['model.hidden.1', 'model.dropout']],
    [{ model: { name: 'mlp', norm: 'batch', ghostBatchSize: 0 } }, ['model.ghostBatchSize']],
    [{ model: { name: 'cnn', channels: [4], kernelSize: 0 } }, ['model.kernelSize']],
    [{ data: { name: 'blobs', classes: 0, spread: -0.1, seed: 1.5 }, model: { name: 'mlp' } }, ['data.classes', 'data.spread', 'data.seed']],
    [{ data: { name: 'teacher', inputDim: 0, hidden: 2.5, noise: -1, testSize: 0 } }, ['data.inputDim', 'data.hidden', 'data.noise', 'data.testSize']],
    [{ data: { name: 'mnist', trainSize: 0, testSize: 2.5 } }, ['data.trainSize', 'data.testSize']],
    [{ data: { name: 'fashion-mnist', trainSize: 0, testSize: 1.5, seed: 0.5 } }, ['data.trainSize', 'data.testSize', 'data.seed']],
    [{ sweep: { batchSize: [0, 32.5], lr: [-1], referenceBatchSize: 0, scaling: ['cubic'], seeds: [1.5], maxLr: 0, warmupEpochs: -1 } },
      ['sweep.batchSize.0', 'sweep.batchSize.1', 'sweep.lr.0', 'sweep.referenceBatchSize', 'sweep.scaling.0', 'sweep.warmupEpochs', 'sweep.maxLr', 'sweep.seeds.0']],
    [{ sweep: { batchSize: [16], axes: { 'optimizer.momentum': [] } } }, ['sweep.axes.optimizer.momentum']],
    // A warmup may start from zero (a ramp relative to each run's own peak LR), never below it.
    [{ train: { epochs: 1, schedule: { name: 'cosine', warmupEpochs: 0.1, warmupFrom: 0 } } }, []],
    [{ train: { epochs: 1, schedule: { warmupEpochs: 0.1, warmupFrom: -0.01 } } }, ['train.schedule.warmupFrom']],
  ])('%j', (doc, expected) => {
    expect(paths(doc)).toEqual(expected);
  });
});

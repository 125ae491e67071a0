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
    [{ train: { epochs: 1 }, model: { name: 'mlp', ghostBatchSize: 8 } }, "model.ghostBatchSize: expected only with model.norm 'batch', got norm \"none\""],
  ])('reports %j', (doc, expected) => {
    expect(issuesOf(doc)).toContain(expected);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf({ train: { epochs: 0, lr: -2, momentum: 1 }, optimizer: { name: 'sgd', momentum: 2 } });
    expect(issues).toHaveLength(4);
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

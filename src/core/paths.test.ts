import { describe, expect, it } from 'vitest';
import { getPath, hasPath, setPath } from './paths.ts';
import { UsageError } from '../errors.ts';
import { thrown } from '../../test/support/thrown.ts';

const config = {
  train: { lr: 0.1, schedule: { warmupEpochs: 0, milestones: [1, 2] }, note: null },
  model: { name: 'mlp' },
};

describe('getPath / hasPath', () => {
  const cases: [string, boolean, unknown][] = [
    ['train.lr', true, 0.1],
    ['train.schedule.warmupEpochs', true, 0],
    ['train.schedule.milestones', true, [1, 2]],
    ['train.note', true, null],
    ['model', true, { name: 'mlp' }],
    ['train.momentum', false, undefined],
    ['train.lr.value', false, undefined],
    ['train.schedule.milestones.0', false, undefined],
    ['optimizer.name', false, undefined],
    ['train.toString', false, undefined],
  ];
  it.each(cases)('%s', (path, exists, value) => {
    expect(hasPath(config, path)).toBe(exists);
    if (exists) expect(getPath(config, path)).toEqual(value);
    else expect(() => getPath(config, path)).toThrow(UsageError);
  });

  it('reports a missing path at the given issue path', () => {
    expect(thrown(() => getPath(config, 'train.momentum', 'sweep.axes.train.momentum'), UsageError).issues).toEqual([
      { path: 'sweep.axes.train.momentum', message: "no key 'momentum' at this point of the configuration" },
    ]);
  });

  it.each(['', 'train.', '.lr', 'train..lr'])('rejects malformed path %j', (path) => {
    expect(() => getPath(config, path)).toThrow(UsageError);
  });
});

describe('setPath', () => {
  it('sets an existing leaf without touching the input, sharing untouched branches', () => {
    const out = setPath(config, 'train.schedule.warmupEpochs', 5);
    expect(out.train.schedule.warmupEpochs).toBe(5);
    expect(config.train.schedule.warmupEpochs).toBe(0);
    expect(out.model).toBe(config.model);
    expect(out.train.schedule.milestones).toBe(config.train.schedule.milestones);
  });

  it('replaces whole values, including objects', () => {
    expect(setPath(config, 'model', { name: 'cnn' }).model).toEqual({ name: 'cnn' });
  });

  it('creates a new leaf only when asked, and only under an existing parent', () => {
    expect(() => setPath(config, 'train.schedule.warmupFrom', 0.1)).toThrow(UsageError);
    expect(setPath(config, 'train.schedule.warmupFrom', 0.1, { createLeaf: true }).train.schedule).toEqual({
      warmupEpochs: 0,
      milestones: [1, 2],
      warmupFrom: 0.1,
    });
    expect(() => setPath(config, 'train.sched.warmupFrom', 0.1, { createLeaf: true })).toThrow(UsageError);
    expect(() => setPath(config, 'train.lr.x', 1, { createLeaf: true })).toThrow(UsageError);
  });
});

describe('setPath with createMissing', () => {
  it('creates missing objects on the way and replaces non-object values there, leaving the input unchanged', () => {
    const obj = { a: { b: 1 }, s: 'x', list: [1] };
    expect(setPath(obj, 'c.d.e', 2, { createMissing: true })).toEqual({ a: { b: 1 }, s: 'x', list: [1], c: { d: { e: 2 } } });
    expect(setPath(obj, 's.t', 3, { createMissing: true })).toEqual({ a: { b: 1 }, s: { t: 3 }, list: [1] });
    expect(setPath(obj, 'list.k', 4, { createMissing: true })).toEqual({ a: { b: 1 }, s: 'x', list: { k: 4 } });
    expect(obj).toEqual({ a: { b: 1 }, s: 'x', list: [1] });
  });

  it('writes __proto__ as an own key, never reaching a prototype', () => {
    const out = setPath({}, '__proto__.polluted', 1, { createMissing: true }) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

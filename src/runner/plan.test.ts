import { describe, expect, it } from 'vitest';
import { validateSpec } from '../config/validate.ts';
import type { Spec } from '../config/schema.ts';
import { UsageError } from '../errors.ts';
import { planSingleRun, planSweep, sweepColumns } from './plan.ts';
import { thrown } from '../../test/support/thrown.ts';

function spec(doc: unknown): Spec {
  const r = validateSpec(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

const base = { train: { epochs: 2, lr: 0.1, batchSize: 32 } };

describe('planSweep', () => {
  it('a spec without sweep: is one run at its own batch size, LR and seed', () => {
    const { runs } = planSweep(spec(base));
    expect(runs).toHaveLength(1);
    expect(runs[0].meta).toMatchObject({ batchSize: 32, baseLr: 0.1, lr: 0.1, scalingRule: 'none', batchRatio: 1, seed: 1 });
  });

  it.each([
    ['none', 64, 0.1],
    ['linear', 64, 0.2],
    ['sqrt', 128, 0.2],
    ['linear', 8, 0.025],
  ] as const)('scaling %s at B=%i gives lr %f', (rule, b, lr) => {
    const { runs } = planSweep(spec({ ...base, sweep: { batchSize: [b], referenceBatchSize: 32, scaling: [rule] } }));
    expect(runs[0].config.train.lr).toBeCloseTo(lr, 12);
    expect(runs[0].config.train.batchSize).toBe(b);
  });

  it('crosses arms with the grid; arms may replace the budget and change their own grid', () => {
    const s = spec({
      ...base,
      sweep: {
        batchSize: [32, 128], referenceBatchSize: 32, scaling: ['linear'], seeds: [1, 2],
        arms: [
          { name: 'scaled' },
          { name: 'same-steps', set: { 'train.steps': 50 } },
          { name: 'sum', set: { 'loss.reduction': 'sum', 'sweep.lr': [0.001], 'sweep.scaling': ['none'] } },
        ],
      },
    });
    const { runs } = planSweep(s);
    expect(runs).toHaveLength(12);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(12);
    const steps = runs.filter((r) => r.meta.axes.arm === 'same-steps');
    expect(steps.every((r) => r.config.train.steps === 50 && r.config.train.epochs === undefined)).toBe(true);
    const sum = runs.filter((r) => r.meta.axes.arm === 'sum');
    expect(sum.map((r) => r.config.train.lr)).toEqual([0.001, 0.001, 0.001, 0.001]);
    expect(sum.every((r) => r.config.loss.reduction === 'sum' && r.meta.scalingRule === 'none')).toBe(true);
    expect(sweepColumns(s)).toEqual(['arm']);
  });

  it('an arm may carry axes of its own: BN over ghost batches beside a GroupNorm control', () => {
    const s = spec({
      data: { name: 'mnist' },
      model: { name: 'cnn', channels: [4], norm: 'batch' },
      train: { epochs: 1, lr: 0.1, batchSize: 32 },
      sweep: {
        batchSize: [32], seeds: [1, 2],
        arms: [
          { name: 'bn', axes: { 'model.ghostBatchSize': [2, 8, 32] } },
          { name: 'gn', set: { 'model.norm': 'group', 'model.groups': 4 } },
        ],
      },
    });
    const { runs } = planSweep(s);
    expect(runs).toHaveLength(8);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(8);
    const bn = runs.filter((r) => r.meta.axes.arm === 'bn');
    expect(bn.map((r) => r.config.model.ghostBatchSize)).toEqual([2, 2, 8, 8, 32, 32]);
    expect(bn.map((r) => r.meta.axes['model.ghostBatchSize'])).toEqual([2, 2, 8, 8, 32, 32]);
    const gn = runs.filter((r) => r.meta.axes.arm === 'gn');
    expect(gn.every((r) => r.config.model.norm === 'group' && r.config.model.ghostBatchSize === undefined)).toBe(true);
    expect(gn.every((r) => !('model.ghostBatchSize' in r.meta.axes))).toBe(true);
    expect(sweepColumns(s)).toEqual(['arm', 'model.ghostBatchSize']);
  });

  it('an arm axis that the arm makes invalid is refused with the cell', () => {
    const s = spec({
      data: { name: 'mnist' },
      model: { name: 'cnn', channels: [4], norm: 'group', groups: 4 },
      train: { epochs: 1, lr: 0.1, batchSize: 32 },
      sweep: { batchSize: [32], arms: [{ name: 'gn', axes: { 'model.ghostBatchSize': [2] } }] },
    });
    expect(() => planSweep(s)).toThrow(UsageError);
    try {
      planSweep(s);
    } catch (e) {
      expect((e as UsageError).issues.map((i) => i.path)).toContain('model.ghostBatchSize');
    }
  });

  it('records BatchNorm momentum and epsilon only when given, so run ids of older specs do not change', () => {
    const plain = planSweep(spec({ ...base, model: { name: 'mlp', norm: 'batch' } })).runs[0];
    const set = planSweep(spec({ ...base, model: { name: 'mlp', norm: 'batch', bnMomentum: 0.9, bnEpsilon: 1e-5 } })).runs[0];
    expect(plain.config.model).not.toHaveProperty('bnMomentum');
    expect(set.runId).not.toBe(plain.runId);
  });

  it('re-validates runs an axis makes invalid, naming the cell', () => {
    const s = spec({ ...base, sweep: { batchSize: [30, 32], axes: { 'train.accumulation': [1, 4] } } });
    expect(() => planSweep(s)).toThrow(UsageError);
    try {
      planSweep(s);
    } catch (err) {
      const issues = (err as UsageError).issues;
      expect(issues.map((i) => i.path)).toEqual(['train.accumulation']);
      expect(issues[0].message).toContain('batchSize=30');
    }
  });

  it('gives stable ids: the same spec plans the same ids, a changed key changes them', () => {
    const a = planSweep(spec({ ...base, sweep: { batchSize: [16, 64] } })).runs.map((r) => r.runId);
    const b = planSweep(spec({ ...base, sweep: { batchSize: [16, 64] } })).runs.map((r) => r.runId);
    const c = planSweep(spec({ ...base, train: { ...base.train, lr: 0.2 }, sweep: { batchSize: [16, 64], lr: [0.1] } })).runs.map((r) => r.runId);
    expect(a).toEqual(b);
    expect(c).toEqual(a); // train.lr is overwritten by the grid, so the resolved runs are the same
    const d = planSweep(spec({ ...base, model: { name: 'mlp', hidden: [8] }, sweep: { batchSize: [16, 64] } })).runs.map((r) => r.runId);
    expect(d.some((id) => a.includes(id))).toBe(false);
  });

  it('keeps none and linear at B = B0 as distinct runs with identical configs', () => {
    const [none, linear] = planSweep(spec({ ...base, sweep: { batchSize: [32], scaling: ['none', 'linear'] } })).runs;
    expect(none.config).toEqual(linear.config);
    expect(none.runId).not.toBe(linear.runId);
  });

  it('gives the same ids whatever the key order of the spec', () => {
    const doc = { model: { name: 'mlp', hidden: [8], norm: 'none' }, train: { epochs: 1, batchSize: 32, lr: 0.1 }, sweep: { batchSize: [16, 32] } };
    const reordered = { sweep: doc.sweep, train: { lr: 0.1, batchSize: 32, epochs: 1 }, model: { norm: 'none', hidden: [8], name: 'mlp' } };
    expect(planSweep(spec(reordered)).runs.map((r) => r.runId)).toEqual(planSweep(spec(doc)).runs.map((r) => r.runId));
  });

  it('plans one run for cells whose configs differ only in defaults the schema fills', () => {
    const { runs } = planSweep(spec({ ...base, sweep: { batchSize: [32], axes: { data: [{ name: 'mnist' }, { name: 'mnist', trainSize: 8000 }] } } }));
    expect(runs).toHaveLength(1);
  });

  it('selects a shard round-robin from the whole plan', () => {
    const s = spec({ ...base, sweep: { batchSize: [16, 32, 64], seeds: [1, 2] } });
    const all = planSweep(s);
    const shard = planSweep(s, { index: 1, count: 4 });
    expect(shard.runs).toEqual(all.runs);
    expect(shard.selected.map((r) => r.runId)).toEqual([all.runs[1], all.runs[5]].map((r) => r.runId));
    expect(all.selected).toEqual(all.runs);
  });

  it('plans `batchlab run` as the base configuration, whatever the sweep says', () => {
    const s = spec({ ...base, sweep: { batchSize: [16, 64], lr: [0.3], seeds: [5] } });
    const single = planSingleRun(s);
    expect(single.config.train).toMatchObject({ batchSize: 32, lr: 0.1, seed: 1 });
    expect(single.runId).toBe(planSweep(spec(base)).runs[0].runId);
  });

  it.each([
    ['a sweep value an arm sets', { 'sweep.batchSize': [0] }, {}, 'sweep.batchSize'],
    ['an axis on a key the arm lacks', {}, { 'model.nope': [1] }, 'sweep.axes.model.nope'],
    ['an axis on the sweep\'s own path', {}, { 'train.lr': [0.1] }, 'sweep.axes.train.lr'],
  ])('refuses %s, naming the arm', (_name, set, axes, path) => {
    const s = spec({ ...base, sweep: { batchSize: [32], arms: [{ name: 'ok' }, { name: 'bad', set, axes }] } });
    const issues = thrown(() => planSweep(s), UsageError).issues;
    expect(issues.map((i) => i.path.replace(/\.0$/, ''))).toEqual([path]);
    expect(issues[0].message).toContain('(in arm "bad")');
  });

  it('lets an arm axis set a key the arm itself adds', () => {
    const s = spec({
      ...base,
      sweep: { batchSize: [32], arms: [{ name: 'ns', set: { 'train.noiseScale': { every: 5 } }, axes: { 'train.noiseScale.every': [5, 10] } }] },
    });
    expect(planSweep(s).runs.map((r) => r.config.train.noiseScale?.every)).toEqual([5, 10]);
  });
});

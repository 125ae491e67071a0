import { describe, expect, it } from 'vitest';
import { expandGrid, type SweepSpec } from './grid.ts';
import { UsageError } from '../errors.ts';

const base = {
  data: { name: 'mnist', trainSize: 6000 },
  model: { name: 'mlp', hidden: [256, 128], norm: 'none' },
  optimizer: { name: 'sgd', momentum: 0.9 },
  loss: { reduction: 'mean' },
  train: { batchSize: 64, lr: 0.05, seed: 0, epochs: 5, schedule: { name: 'constant', warmupEpochs: 0, milestones: [], gamma: 0.1, minLr: 0 } },
};

const sweep = (over: Partial<SweepSpec> = {}): SweepSpec => ({
  batchSize: [32, 64, 128],
  lr: [0.1],
  referenceBatchSize: 64,
  scaling: ['linear'],
  seeds: [1, 2],
  ...over,
});

describe('expandGrid', () => {
  it('enumerates batch size, LR, rule, axes, seed (innermost) in that order', () => {
    const runs = expandGrid(base, sweep({ batchSize: [32, 64], lr: [0.1, 0.2], scaling: ['none', 'sqrt'], axes: { 'model.norm': ['bn', 'gn'] } }));
    expect(runs).toHaveLength(2 * 2 * 2 * 2 * 2);
    const order = runs.map((r) => `${r.meta.batchSize}/${r.meta.baseLr}/${r.meta.scalingRule}/${r.meta.axes['model.norm']}/${r.meta.seed}`);
    expect(order.slice(0, 6)).toEqual([
      '32/0.1/none/bn/1',
      '32/0.1/none/bn/2',
      '32/0.1/none/gn/1',
      '32/0.1/none/gn/2',
      '32/0.1/sqrt/bn/1',
      '32/0.1/sqrt/bn/2',
    ]);
    expect(order[8]).toBe('32/0.2/none/bn/1');
    expect(order[16]).toBe('64/0.1/none/bn/1');
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
  });

  const cells: [string, number, number, number, boolean][] = [
    // rule, B, expected lr, k, capped  (base LR 0.1 at B0 = 64)
    ['none', 256, 0.1, 4, false],
    ['linear', 256, 0.4, 4, false],
    ['sqrt', 256, 0.2, 4, false],
    ['linear', 16, 0.025, 0.25, false],
    ['linear', 1024, 1, 16, true], // 1.6 capped at maxLr = 1
  ];
  it.each(cells)('%s at B=%d: train.lr = %d', (rule, b, lr, k, capped) => {
    const [run] = expandGrid(base, sweep({ batchSize: [b], scaling: [rule as never], seeds: [7], maxLr: 1 }));
    expect(run.config.train.lr).toBeCloseTo(lr, 12);
    expect(run.config.train.batchSize).toBe(b);
    expect(run.config.train.seed).toBe(7);
    expect(run.meta).toEqual({ batchSize: b, baseLr: 0.1, lr: run.config.train.lr, scalingRule: rule, k, capped, seed: 7, axes: {} });
  });

  it('adds warmup from the base LR only where the scaled LR exceeds it', () => {
    const runs = expandGrid(base, sweep({ seeds: [0], warmupEpochs: 2 }));
    const schedules = runs.map((r) => r.config.train.schedule as Record<string, unknown>);
    expect(schedules[0]).toEqual(base.train.schedule); // B=32: LR halves, no warmup
    expect(schedules[1]).toEqual(base.train.schedule); // B=B0
    expect(schedules[2]).toEqual({ ...base.train.schedule, warmupEpochs: 2, warmupFrom: 0.1 }); // B=128: 0.2 > 0.1
    // Without sweep.warmupEpochs the base schedule is kept.
    expect(expandGrid(base, sweep({ seeds: [0] }))[2].config.train.schedule).toEqual(base.train.schedule);
  });

  it('sets axis values at their paths, including whole objects and arrays', () => {
    const runs = expandGrid(base, sweep({ batchSize: [64], seeds: [0], axes: { 'model.hidden': [[512], [64, 64]], 'loss.reduction': ['sum'] } }));
    expect(runs.map((r) => r.config.model.hidden)).toEqual([[512], [64, 64]]);
    expect(runs.every((r) => r.config.loss.reduction === 'sum')).toBe(true);
    expect(runs[1].meta.axes).toEqual({ 'model.hidden': [64, 64], 'loss.reduction': 'sum' });
  });

  it('keeps none and linear at B = B0 as distinct cells with identical configs', () => {
    const [none, linear] = expandGrid(base, sweep({ batchSize: [64], scaling: ['none', 'linear'], seeds: [0] }));
    expect(none.config).toEqual(linear.config);
    expect(none.id).not.toBe(linear.id);
  });

  it('drops repeated values', () => {
    const runs = expandGrid(base, sweep({ batchSize: [32, 32, 64], seeds: [1, 1], axes: { 'model.norm': ['bn', 'bn'] } }));
    expect(runs.map((r) => r.meta.batchSize)).toEqual([32, 64]);
  });

  it('uses base values for empty lists', () => {
    const runs = expandGrid(base, { batchSize: [], lr: [], referenceBatchSize: 64, scaling: [], seeds: [] });
    expect(runs).toHaveLength(1);
    expect(runs[0].config).toEqual(base);
    expect(runs[0].meta).toMatchObject({ batchSize: 64, baseLr: 0.05, lr: 0.05, scalingRule: 'none', seed: 0 });
  });

  it('neither mutates the base nor shares objects between runs', () => {
    const snapshot = structuredClone(base);
    const runs = expandGrid(base, sweep());
    expect(base).toEqual(snapshot);
    runs[0].config.model.hidden.push(1);
    (runs[0].config.train.schedule as { milestones: number[] }).milestones.push(3);
    expect(runs[1].config.model.hidden).toEqual([256, 128]);
    expect(base).toEqual(snapshot);
  });

  it('gives the same ids whatever the key order of the base', () => {
    const reordered = { train: { ...base.train }, loss: base.loss, optimizer: base.optimizer, model: base.model, data: base.data };
    expect(expandGrid(reordered, sweep()).map((r) => r.id)).toEqual(expandGrid(base, sweep()).map((r) => r.id));
  });

  it('reports every problem with its path', () => {
    try {
      expandGrid(base, {
        batchSize: [0, 32.5],
        lr: [-1],
        referenceBatchSize: 0,
        scaling: ['cubic' as never],
        seeds: [1.5],
        maxLr: 0,
        warmupEpochs: -1,
        axes: { 'model.widht': [1], 'train.lr': [0.1], 'optimizer.momentum': [] },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).issues.map((i) => i.path)).toEqual([
        'sweep.batchSize[0]',
        'sweep.batchSize[1]',
        'sweep.lr[0]',
        'sweep.scaling[0]',
        'sweep.seeds[0]',
        'sweep.referenceBatchSize',
        'sweep.maxLr',
        'sweep.warmupEpochs',
        'sweep.axes.model.widht',
        'sweep.axes.train.lr',
        'sweep.axes.optimizer.momentum',
      ]);
    }
  });

  it('rejects warmup when the base has no schedule to carry it', () => {
    const { schedule: _, ...train } = base.train;
    expect(() => expandGrid({ ...base, train }, sweep({ warmupEpochs: 1 }))).toThrow(UsageError);
  });
});

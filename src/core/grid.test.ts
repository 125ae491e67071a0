import { describe, expect, it } from 'vitest';
import { expandGrid, type Grid } from './grid.ts';

const base = {
  data: { name: 'mnist', trainSize: 6000 },
  model: { name: 'mlp', hidden: [256, 128], norm: 'none' },
  optimizer: { name: 'sgd', momentum: 0.9 },
  loss: { reduction: 'mean' },
  train: { batchSize: 64, lr: 0.05, seed: 0, epochs: 5, schedule: { name: 'constant', warmupEpochs: 0, milestones: [], gamma: 0.1, minLr: 0 } },
};

const sweep = (over: Partial<Grid> = {}): Grid => ({
  batchSizes: [32, 64, 128],
  baseLrs: [0.1],
  referenceBatchSize: 64,
  scalingRules: ['linear'],
  seeds: [1, 2],
  axes: {},
  ...over,
});

describe('expandGrid', () => {
  it('enumerates batch size, LR, rule, axes, seed (innermost) in that order', () => {
    const runs = expandGrid(base, sweep({ batchSizes: [32, 64], baseLrs: [0.1, 0.2], scalingRules: ['none', 'sqrt'], axes: { 'model.norm': ['bn', 'gn'] } }));
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
  });

  const cells: [string, number, number, number, boolean][] = [
    // rule, B, expected lr, B/B0, capped  (base LR 0.1 at B0 = 64)
    ['none', 256, 0.1, 4, false],
    ['linear', 256, 0.4, 4, false],
    ['sqrt', 256, 0.2, 4, false],
    ['linear', 16, 0.025, 0.25, false],
    ['linear', 1024, 1, 16, true], // 1.6 capped at maxLr = 1
  ];
  it.each(cells)('%s at B=%d: train.lr = %d', (rule, b, lr, batchRatio, capped) => {
    const [run] = expandGrid(base, sweep({ batchSizes: [b], scalingRules: [rule as never], seeds: [7], maxLr: 1 }));
    expect(run.config.train.lr).toBeCloseTo(lr, 12);
    expect(run.config.train.batchSize).toBe(b);
    expect(run.config.train.seed).toBe(7);
    expect(run.meta).toEqual({ batchSize: b, baseLr: 0.1, lr: run.config.train.lr, scalingRule: rule, batchRatio, capped, seed: 7, axes: {} });
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

  it('sets an optional key an axis names although the base leaves it unset', () => {
    const runs = expandGrid(base, sweep({ batchSizes: [64], seeds: [0], axes: { 'model.ghostBatchSize': [8] } }));
    expect(runs[0].config.model).toEqual({ ...base.model, ghostBatchSize: 8 });
  });

  it('sets axis values at their paths, including whole objects and arrays', () => {
    const runs = expandGrid(base, sweep({ batchSizes: [64], seeds: [0], axes: { 'model.hidden': [[512], [64, 64]], 'loss.reduction': ['sum'] } }));
    expect(runs.map((r) => r.config.model.hidden)).toEqual([[512], [64, 64]]);
    expect(runs.every((r) => r.config.loss.reduction === 'sum')).toBe(true);
    expect(runs[1].meta.axes).toEqual({ 'model.hidden': [64, 64], 'loss.reduction': 'sum' });
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
});

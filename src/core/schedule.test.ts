import { describe, expect, it } from 'vitest';
import {
  LR_SCHEDULE_NAMES,
  planBatchSchedule,
  planLrSchedule,
  type LrScheduleConfig,
  type ScheduleProgress,
} from './schedule.ts';
import { InternalError } from '../errors.ts';
import { thrown } from '../../test/support/thrown.ts';

const base: LrScheduleConfig = { name: 'constant', milestones: [], gamma: 0.1, warmupEpochs: 0, minLr: 0 };

/** A 10-epoch run of 100 steps per epoch: progress proportional to epochs. */
const at = (epoch: number, epochs = 10, stepsPerEpoch = 100): ScheduleProgress => ({
  step: Math.floor(epoch * stepsPerEpoch),
  epoch,
  progress: epoch / epochs,
});

describe('planLrSchedule', () => {
  const cases: [string, Partial<LrScheduleConfig>, number, ScheduleProgress, number][] = [
    // label, config overrides, peak, progress, expected lr
    ['constant', {}, 0.4, at(0), 0.4],
    ['constant late', {}, 0.4, at(10), 0.4],
    ['warmup start', { warmupEpochs: 5, warmupFrom: 0.1 }, 3.2, at(0), 0.1],
    ['warmup middle', { warmupEpochs: 5, warmupFrom: 0.1 }, 3.2, at(2.5), 1.65],
    ['warmup end', { warmupEpochs: 5, warmupFrom: 0.1 }, 3.2, at(5), 3.2],
    ['default warmupFrom is flat', { warmupEpochs: 5 }, 3.2, at(1), 3.2],
    ['step before first milestone', { name: 'step', milestones: [3, 6, 8] }, 0.1, at(2.999), 0.1],
    ['step at first milestone', { name: 'step', milestones: [3, 6, 8] }, 0.1, at(3), 0.01],
    ['step past all milestones', { name: 'step', milestones: [3, 6, 8] }, 0.1, at(9), 1e-4],
    ['step gamma 0.2', { name: 'step', milestones: [3, 6], gamma: 0.2 }, 1, at(7), 0.04],
    ['cosine start', { name: 'cosine' }, 1, at(0), 1],
    ['cosine quarter', { name: 'cosine' }, 1, at(2.5), 0.5 * (1 + Math.SQRT1_2)],
    ['cosine middle', { name: 'cosine', minLr: 0.2 }, 1, at(5), 0.6],
    ['cosine end', { name: 'cosine', minLr: 0.2 }, 1, at(10), 0.2],
    ['cosine after 2-epoch warmup: peak', { name: 'cosine', warmupEpochs: 2, warmupFrom: 0 }, 1, at(2), 1],
    ['cosine after 2-epoch warmup: midpoint at epoch 6', { name: 'cosine', warmupEpochs: 2, warmupFrom: 0 }, 1, at(6), 0.5],
    ['cosine after 2-epoch warmup: end', { name: 'cosine', warmupEpochs: 2, warmupFrom: 0, minLr: 0.01 }, 1, at(10), 0.01],
    // A step budget: 400 steps of 4 per epoch, i.e. 100 epochs; warmup ends at progress 0.05.
    ['cosine with step budget', { name: 'cosine', warmupEpochs: 5 }, 2, { step: 210, epoch: 52.5, progress: 0.525 }, 1],
  ];
  it.each(cases)('%s', (_label, overrides, peak, p, expected) => {
    const lr = planLrSchedule({ ...base, ...overrides }, peak)(p);
    expect(lr).toBeCloseTo(expected, 12);
  });

  it.each(LR_SCHEDULE_NAMES)('%s: warms up linearly, is continuous at warmup end, then never rises', (name) => {
    const cfg: LrScheduleConfig = { name, milestones: [4, 7], gamma: 0.5, warmupEpochs: 2, warmupFrom: 0.05, minLr: 0.001 };
    const schedule = planLrSchedule(cfg, 0.8);
    expect(schedule(at(0))).toBeCloseTo(0.05, 12);
    expect(schedule(at(1))).toBeCloseTo(0.425, 12);
    expect(schedule(at(2 - 1e-9))).toBeCloseTo(0.8, 6);
    expect(schedule(at(2))).toBeCloseTo(0.8, 12);
    let prev = Infinity;
    for (let e = 2; e <= 10; e += 0.25) {
      const lr = schedule(at(e));
      expect(Number.isFinite(lr) && lr > 0).toBe(true);
      expect(lr).toBeLessThanOrEqual(prev + 1e-15);
      prev = lr;
    }
  });

  it('names every broken precondition in one InternalError (config/ reports bad input first)', () => {
    const e = thrown(() => planLrSchedule(
      { name: 'linear' as never, milestones: [5, 2, -1], gamma: 0, warmupEpochs: -1, warmupFrom: NaN, minLr: -0.1 },
      0,
    ), InternalError);
    expect(e.message).toBe('planLrSchedule: expected name one of constant, step, cosine, got linear; peakLr > 0, got 0; '
      + 'gamma > 0, got 0; warmupEpochs >= 0, got -1; warmupFrom >= 0, got NaN; minLr >= 0, got -0.1; '
      + 'milestones of increasing epochs >= 0, got [5,2,-1]');
  });
});

describe('planBatchSchedule', () => {
  const cases: [number[], number, number, number, number][] = [
    // milestones, factor, base batch, epoch, expected batch
    [[2, 4], 5, 32, 0, 32],
    [[2, 4], 5, 32, 1.999, 32],
    [[2, 4], 5, 32, 2, 160],
    [[2, 4], 5, 32, 4, 800],
    [[2, 4], 5, 32, 100, 800],
    [[], 5, 32, 100, 32],
    [[1], 0.5, 3, 1, 2], // 1.5 rounds to 2
    [[1, 2], 0.1, 1, 5, 1], // never below 1
  ];
  it.each(cases)('milestones %j factor %d base %d at epoch %d', (milestones, factor, b, epoch, expected) => {
    expect(planBatchSchedule({ milestones, factor }, b)(epoch)).toBe(expected);
  });

  it('names every broken precondition in one InternalError', () => {
    expect(thrown(() => planBatchSchedule({ milestones: [3, 3], factor: -2 }, 0.5), InternalError).message).toBe(
      'planBatchSchedule: expected milestones of increasing epochs >= 0, got [3,3]; factor > 0, got -2; baseBatch an integer >= 1, got 0.5');
  });
});

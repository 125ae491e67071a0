/**
 * Learning-rate and batch-size schedules as small named pure functions.
 *
 * Units, once: `step` counts optimizer updates already done (0-based; one step = one
 * optimizer update, whatever the batch size); `epoch` is fractional epochs completed
 * (examples seen / training-set size); `progress` in [0, 1] is the fraction of the run's
 * budget (epochs or steps) consumed. Milestones and warmup lengths are in epochs.
 */

import { assertPreconditions, isAscendingEpochs, isNonNegative, isPositive } from './preconditions.ts';

export interface ScheduleProgress {
  step: number;
  epoch: number;
  progress: number;
}

/** Learning rate to use for the next optimizer update. */
export type LrSchedule = (p: ScheduleProgress) => number;

export interface LrScheduleConfig {
  name: LrScheduleName;
  /** Epochs at which the `step` schedule multiplies the LR by gamma (ascending). */
  milestones: number[];
  /** Multiplier per passed milestone for `step`, > 0. */
  gamma: number;
  /** Length of the linear warmup, in epochs (0 = none). */
  warmupEpochs: number;
  /** LR at the start of warmup (e.g. the unscaled base LR); defaults to the peak, i.e. a flat warmup. */
  warmupFrom?: number;
  /** LR that `cosine` reaches at the end of the budget, >= 0. */
  minLr: number;
}

type ShapeFactory = (cfg: LrScheduleConfig, peakLr: number) => LrSchedule;

/**
 * The LR after warmup. `cosine` decays over the progress left after warmup; the progress
 * at which warmup ended is taken as progress * warmupEpochs / epoch, which is exact whenever
 * progress is proportional to epochs (an epoch budget, or a step budget at a fixed batch size).
 */
export const LR_SCHEDULES = {
  constant: (_cfg, peakLr) => () => peakLr,
  step: (cfg, peakLr) => (p) => {
    // A milestone counts as passed once its epoch is reached.
    let passed = 0;
    for (const m of cfg.milestones) if (p.epoch >= m) passed++;
    return peakLr * cfg.gamma ** passed;
  },
  cosine: (cfg, peakLr) => (p) => {
    const warmupEnd = cfg.warmupEpochs > 0 && p.epoch > 0 ? Math.min(1, (p.progress * cfg.warmupEpochs) / p.epoch) : 0;
    const span = 1 - warmupEnd;
    const u = span > 0 ? clamp01((p.progress - warmupEnd) / span) : 0;
    return cfg.minLr + (peakLr - cfg.minLr) * 0.5 * (1 + Math.cos(Math.PI * u));
  },
} as const satisfies Record<string, ShapeFactory>;

export type LrScheduleName = keyof typeof LR_SCHEDULES;

/** The schedule names, in registry order; the spec schema's enum is built from this list. */
export const LR_SCHEDULE_NAMES = Object.keys(LR_SCHEDULES) as [LrScheduleName, ...LrScheduleName[]];

/**
 * LR schedule peaking at `peakLr` (> 0): linear warmup from `warmupFrom` to the peak over
 * `warmupEpochs` (Goyal et al.'s gradual warmup), then the named shape. `cfg` is validated by
 * config/ (train.schedule); a value outside its range here is an InternalError.
 */
export function planLrSchedule(cfg: LrScheduleConfig, peakLr: number): LrSchedule {
  assertPreconditions('planLrSchedule', [
    [Object.hasOwn(LR_SCHEDULES, cfg.name), `name one of ${LR_SCHEDULE_NAMES.join(', ')}, got ${String(cfg.name)}`],
    [isPositive(peakLr), `peakLr > 0, got ${peakLr}`],
    [isPositive(cfg.gamma), `gamma > 0, got ${cfg.gamma}`],
    [isNonNegative(cfg.warmupEpochs), `warmupEpochs >= 0, got ${cfg.warmupEpochs}`],
    [cfg.warmupFrom === undefined || isNonNegative(cfg.warmupFrom), `warmupFrom >= 0, got ${cfg.warmupFrom}`],
    [isNonNegative(cfg.minLr), `minLr >= 0, got ${cfg.minLr}`],
    [isAscendingEpochs(cfg.milestones), `milestones of increasing epochs >= 0, got ${JSON.stringify(cfg.milestones)}`],
  ]);
  const shape = LR_SCHEDULES[cfg.name](cfg, peakLr);
  const from = cfg.warmupFrom ?? peakLr;
  const warmup = cfg.warmupEpochs;
  return (p) => {
    if (p.epoch < warmup) return from + (peakLr - from) * (p.epoch / warmup);
    return shape(p);
  };
}

export interface BatchScheduleConfig {
  /** Epochs at which the batch size is multiplied by `factor` (ascending). */
  milestones: number[];
  /** Multiplier per passed milestone, > 0 (Smith et al. 2018 grow B where the LR would decay). */
  factor: number;
}

/**
 * Batch size as a function of fractional epochs completed: baseBatch * factor^(milestones
 * passed), rounded to the nearest integer and at least 1. `cfg` is validated by config/
 * (train.batchSchedule); a value outside its range here is an InternalError.
 */
export function planBatchSchedule(cfg: BatchScheduleConfig, baseBatch: number): (epoch: number) => number {
  assertPreconditions('planBatchSchedule', [
    [isAscendingEpochs(cfg.milestones), `milestones of increasing epochs >= 0, got ${JSON.stringify(cfg.milestones)}`],
    [isPositive(cfg.factor), `factor > 0, got ${cfg.factor}`],
    [Number.isInteger(baseBatch) && baseBatch >= 1, `baseBatch an integer >= 1, got ${baseBatch}`],
  ]);
  const milestones = [...cfg.milestones];
  return (epoch) => {
    let passed = 0;
    for (const m of milestones) if (epoch >= m) passed++;
    return Math.max(1, Math.round(baseBatch * cfg.factor ** passed));
  };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

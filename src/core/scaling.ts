/**
 * Learning-rate scaling rules: how the peak LR should change when the batch size B moves
 * away from the reference batch size B0 at which the base LR was tuned.
 * Goyal et al. 2017 argue for linear scaling with SGD; Krizhevsky 2014 and Malladi et al. 2022
 * argue for square-root scaling (the latter for Adam-style optimizers).
 */

import { assertPreconditions, isPositive } from './preconditions.ts';

/** (baseLr, batchSize, referenceBatchSize) => lr. LRs in optimizer units, batch sizes in examples. */
export type ScalingFn = (baseLr: number, batchSize: number, referenceBatchSize: number) => number;

export const SCALING_RULES = {
  /** Keep the LR whatever the batch size. */
  none: (baseLr) => baseLr,
  /** lr = baseLr * B / B0 (Goyal et al.). */
  linear: (baseLr, batchSize, referenceBatchSize) => (baseLr * batchSize) / referenceBatchSize,
  /** lr = baseLr * sqrt(B / B0): keeps the variance of the update constant. */
  sqrt: (baseLr, batchSize, referenceBatchSize) => baseLr * Math.sqrt(batchSize / referenceBatchSize),
} as const satisfies Record<string, ScalingFn>;

export type ScalingRule = keyof typeof SCALING_RULES;

/** The rule names, in registry order; the spec schema's enum is built from this list. */
export const SCALING_RULE_NAMES = Object.keys(SCALING_RULES) as [ScalingRule, ...ScalingRule[]];

export function isScalingRule(name: unknown): name is ScalingRule {
  return typeof name === 'string' && Object.hasOwn(SCALING_RULES, name);
}

export interface ScaledLr {
  /** The LR to train with: the rule's value, capped at maxLr when one is given. */
  lr: number;
  /** B / B0, the batch multiplier (k in Goyal et al.'s notation; not the LR multiplier). */
  batchRatio: number;
  /** True when maxLr lowered the rule's value. */
  capped: boolean;
}

/**
 * Scale `baseLr` (> 0) tuned at `referenceBatchSize` (B0 > 0) to `batchSize` (B > 0) by `rule`,
 * then cap it at `maxLr` (> 0) if given. The arguments come from a spec config/ has validated
 * (sweep.*, train.lr); a value outside its range here is an InternalError.
 */
export function scaleLr(
  rule: ScalingRule,
  baseLr: number,
  batchSize: number,
  referenceBatchSize: number,
  maxLr?: number,
): ScaledLr {
  assertPreconditions('scaleLr', [
    [isScalingRule(rule), `rule one of ${SCALING_RULE_NAMES.join(', ')}, got ${String(rule)}`],
    [isPositive(baseLr), `baseLr > 0, got ${baseLr}`],
    [isPositive(batchSize), `batchSize > 0, got ${batchSize}`],
    [isPositive(referenceBatchSize), `referenceBatchSize > 0, got ${referenceBatchSize}`],
    [maxLr === undefined || isPositive(maxLr), `maxLr > 0, got ${maxLr}`],
  ]);

  const scaled = SCALING_RULES[rule](baseLr, batchSize, referenceBatchSize);
  const capped = maxLr !== undefined && scaled > maxLr;
  return { lr: capped ? maxLr : scaled, batchRatio: batchSize / referenceBatchSize, capped };
}

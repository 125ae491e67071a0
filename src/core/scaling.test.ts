import { describe, expect, it } from 'vitest';
import { SCALING_RULES, SCALING_RULE_NAMES, isScalingRule, scaleLr, type ScalingRule } from './scaling.ts';
import { InternalError } from '../errors.ts';
import { thrown } from '../../test/support/thrown.ts';

describe('scaling rules (shared contract)', () => {
  it.each(SCALING_RULE_NAMES)('%s: identity at B = B0, positive, nondecreasing in B', (name) => {
    const fn = SCALING_RULES[name];
    expect(fn(0.1, 256, 256)).toBeCloseTo(0.1, 15);
    let prev = 0;
    for (const b of [1, 2, 8, 64, 256, 1024, 8192]) {
      const lr = fn(0.1, b, 256);
      expect(lr).toBeGreaterThan(0);
      expect(lr).toBeGreaterThanOrEqual(prev);
      prev = lr;
    }
  });

  it('lists exactly the registry keys', () => {
    expect(SCALING_RULE_NAMES).toEqual(['none', 'linear', 'sqrt']);
    expect(isScalingRule('linear')).toBe(true);
    expect(isScalingRule('toString')).toBe(false);
    expect(isScalingRule(3)).toBe(false);
  });
});

describe('scaleLr', () => {
  const cases: [ScalingRule, number, number, number, number | undefined, number, number, boolean][] = [
    // rule, baseLr, B, B0, maxLr, lr, B/B0, capped
    ['none', 0.1, 8192, 256, undefined, 0.1, 32, false],
    ['linear', 0.1, 8192, 256, undefined, 3.2, 32, false], // Goyal et al.: 0.1 at 256 -> 3.2 at 8k
    ['linear', 0.1, 64, 256, undefined, 0.025, 0.25, false],
    ['sqrt', 0.1, 1024, 256, undefined, 0.2, 4, false],
    ['sqrt', 0.1, 64, 256, undefined, 0.05, 0.25, false],
    ['linear', 0.1, 8192, 256, 1, 1, 32, true],
    ['linear', 0.1, 512, 256, 1, 0.2, 2, false],
    ['none', 0.1, 512, 256, 0.05, 0.05, 2, true],
  ];
  it.each(cases)('%s lr=%d B=%d B0=%d max=%s', (rule, baseLr, b, b0, maxLr, lr, batchRatio, capped) => {
    const out = scaleLr(rule, baseLr, b, b0, maxLr);
    expect(out.lr).toBeCloseTo(lr, 12);
    expect(out.batchRatio).toBe(batchRatio);
    expect(out.capped).toBe(capped);
  });

  it('names every broken precondition in one InternalError (config/ reports bad input first)', () => {
    const e = thrown(() => scaleLr('cubic' as ScalingRule, -1, 0, NaN, 0), InternalError);
    expect(e.message).toBe('scaleLr: expected rule one of none, linear, sqrt, got cubic; baseLr > 0, got -1; '
      + 'batchSize > 0, got 0; referenceBatchSize > 0, got NaN; maxLr > 0, got 0');
  });
});

import { describe, expect, it } from 'vitest';
import { minimalDetectableEffect, pairedTPower } from './power.ts';

// Reference: scipy 1.17.1, two-sided power of the one-sample t test counting both tails:
//   power(d, n) = 1 - stats.nct.cdf(c, n-1, d*sqrt(n)) + stats.nct.cdf(-c, n-1, d*sqrt(n)),
//   c = stats.t.ppf(0.975, n-1);  MDE = optimize.brentq(lambda d: power(d, n) - 0.8, ...).
// (R's power.t.test(n, delta, type = "one.sample") gives the same to 4 digits: it ignores the
// far tail by default, which carries < 1e-4 here.)

describe('paired t power and the minimal detectable effect', () => {
  it.each([
    [3, 0.1792553937765518],
    [5, 0.4013899173717953],
    [10, 0.8030968566327219],
    [20, 0.9885912947787758],
  ])('power at an effect of 1 sd, n=%d (scipy)', (n, expected) => {
    expect(Math.abs(pairedTPower(n, 1) - expected)).toBeLessThan(1e-8);
  });

  it.each([
    [3, 3.264043549699573],
    [5, 1.6819969659555543],
    [10, 0.9960013714554438],
    [20, 0.6604416546230263],
  ])('MDE at 80%% power, alpha 0.05, n=%d, sd 1 (scipy)', (n, expected) => {
    expect(minimalDetectableEffect(1, n)).toBeCloseTo(expected, 6);
  });

  it('scales with the spread, falls with n, and is undefined for n < 2', () => {
    expect(minimalDetectableEffect(0.02, 5)).toBeCloseTo(0.02 * 1.6819969659555543, 8);
    expect(minimalDetectableEffect(1, 6)).toBeLessThan(minimalDetectableEffect(1, 5));
    expect(minimalDetectableEffect(1, 1)).toBeNaN();
    expect(minimalDetectableEffect(NaN, 5)).toBeNaN();
    expect(minimalDetectableEffect(0, 5)).toBe(0);
    // n = 2 (df 1): still finite, and far larger than at n = 3.
    expect(minimalDetectableEffect(1, 2)).toBeGreaterThan(3 * 3.264);
  });
});

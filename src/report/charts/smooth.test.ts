/** TensorBoard-style smoothing against its closed form, the per-batch-size weight, and thinning for drawing. Pure. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/prng.ts';
import { SMOOTHING_EXAMPLES, smoothEma, smoothingWeightFor, thinForDrawing } from './smooth.ts';

/** The debiased EMA written out: the weighted mean of x_1..x_k with weights w^(k-i). */
function closedForm(xs: number[], w: number): number[] {
  return xs.map((_, k) => {
    let num = 0;
    let den = 0;
    for (let i = 0; i <= k; i++) {
      num += w ** (k - i) * xs[i]!;
      den += w ** (k - i);
    }
    return num / den;
  });
}

describe('smoothEma', () => {
  it('equals the closed form on fresh random inputs (relative error below 1e-12)', () => {
    const random = mulberry32(7);
    for (const w of [0, 0.3, 0.6, 0.9, 0.99]) {
      const xs = Array.from({ length: 200 }, () => 0.1 + 3 * random());
      const got = smoothEma(xs, w);
      closedForm(xs, w).forEach((want, i) => expect(Math.abs(got[i]! - want) / want).toBeLessThan(1e-12));
    }
  });

  it.each([
    { name: 'weight 0 leaves the values as they are', xs: [3, 1, 2], w: 0, want: [3, 1, 2] },
    { name: 'debiasing: a constant stays constant from the first value', xs: [2, 2, 2], w: 0.9, want: [2, 2, 2] },
    { name: 'two values at weight 0.5: (0.5 * 4 + 2) / 1.5', xs: [4, 2], w: 0.5, want: [4, (0.5 * 4 + 2) / 1.5] },
    { name: 'a non-finite value passes through and is skipped by the average', xs: [1, NaN, Infinity, 1], w: 0.5, want: [1, NaN, Infinity, 1] },
  ])('$name', ({ xs, w, want }) => {
    const got = smoothEma(xs, w);
    want.forEach((v, i) => (Number.isNaN(v) ? expect(got[i]).toBeNaN() : expect(got[i]).toBeCloseTo(v, 12)));
  });

  it('refuses a weight outside [0, 1)', () => {
    expect(() => smoothEma([1], 1)).toThrow(RangeError);
    expect(() => smoothEma([1], -0.1)).toThrow(RangeError);
  });
});

describe('smoothingWeightFor', () => {
  it.each([
    [16, 1 - 16 / SMOOTHING_EXAMPLES],
    [256, 0.5],
    [SMOOTHING_EXAMPLES, 0],
    [1024, 0],
  ])('batch size %i: weight %f', (b, w) => {
    expect(smoothingWeightFor(b)).toBeCloseTo(w, 12);
  });
});

describe('thinForDrawing', () => {
  it('keeps every point of a short series', () => {
    expect(thinForDrawing([1, 2, 3, 4], 2)).toEqual([0, 1, 2, 3]);
  });

  it('keeps at most 2 * bins + 2 points, the ends included, in order, dense at both ends of a log axis', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i + 1);
    const kept = thinForDrawing(xs, 40);
    expect(kept.length).toBeLessThanOrEqual(82);
    expect(kept.length).toBeGreaterThan(40);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(999);
    expect(kept.every((k, i) => i === 0 || k > kept[i - 1]!)).toBe(true);
    // Log bins keep the first steps one by one; linear bins keep one point every 25 steps late on.
    expect(kept.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    const late = kept.filter((k) => k >= 500);
    expect(late.length).toBeGreaterThanOrEqual(19);
    expect(late.length).toBeLessThanOrEqual(21 + 6);
  });
});

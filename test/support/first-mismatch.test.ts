import { describe, expect, it } from 'vitest';
import { firstMismatch } from './first-mismatch.ts';

describe('firstMismatch', () => {
  it.each([
    [[1, 2, 3], [1, 2, 3], -1],
    [[1, 2, 3], [1, 5, 3], 1],
    [[1, 2], [1, 2, 3], 2],
    [[Number.NaN], [Number.NaN], -1],
    [[0], [-0], 0],
  ])('%j vs %j -> %d', (a, b, expected) => {
    expect(firstMismatch(a, b)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { firstMismatch, requireSystem, systemSuiteTitle } from './test-support.ts';

describe('requireSystem', () => {
  it.each([
    // present, BATCHLAB_REQUIRE_SYSTEM, expected (true = run, false = skip)
    [true, undefined, true],
    [true, '1', true],
    [false, undefined, false],
    [false, '0', false],
  ])('present %s, BATCHLAB_REQUIRE_SYSTEM=%s -> run %s', (present, flag, expected) => {
    expect(requireSystem('pkg-x', present, { BATCHLAB_REQUIRE_SYSTEM: flag })).toBe(expected);
  });

  it('fails, naming the package, when required and absent', () => {
    expect(() => requireSystem('pkg-x', false, { BATCHLAB_REQUIRE_SYSTEM: '1' })).toThrow(/apt-get install pkg-x/);
  });

  it('names the package in the title of a skipped suite only', () => {
    expect(systemSuiteTitle('suite', 'pkg-x', true)).toBe('suite');
    expect(systemSuiteTitle('suite', 'pkg-x', false)).toContain('apt-get install pkg-x');
  });
});

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

import { describe, expect, it } from 'vitest';
import { decide, decideEquivalence, describeExpectation } from './decide.ts';
import { fmt } from '../format-number.ts';
import type { Expectation } from './types.ts';

describe('decide', () => {
  it.each<[string, number, number, Expectation, string]>([
    ['above: clear', 0.1, 0.3, { above: 0 }, 'SUPPORTED'],
    ['above: straddles', -0.1, 0.3, { above: 0 }, 'INCONCLUSIVE'],
    ['above: bound on the threshold is not clear', 0, 0.3, { above: 0 }, 'INCONCLUSIVE'],
    ['above: entirely below', -0.5, -0.1, { above: 0 }, 'NOT SUPPORTED'],
    ['above: upper bound on the threshold', -0.5, 0, { above: 0 }, 'NOT SUPPORTED'],
    ['below: clear', -3, -1, { below: -0.5 }, 'SUPPORTED'],
    ['below: straddles', -3, 1, { below: -0.5 }, 'INCONCLUSIVE'],
    ['below: entirely above', 0, 1, { below: -0.5 }, 'NOT SUPPORTED'],
    ['band: inside', -1.1, -0.9, { between: [-1.2, -0.8] }, 'SUPPORTED'],
    ['band: inside, touching an edge', -1.2, -0.9, { between: [-1.2, -0.8] }, 'SUPPORTED'],
    ['band: overlaps an edge', -1.3, -0.9, { between: [-1.2, -0.8] }, 'INCONCLUSIVE'],
    ['band: wider than the band', -2, 0, { between: [-1.2, -0.8] }, 'INCONCLUSIVE'],
    ['band: entirely above', -0.6, -0.4, { between: [-1.2, -0.8] }, 'NOT SUPPORTED'],
    ['band: entirely below', -3, -1.5, { between: [-1.2, -0.8] }, 'NOT SUPPORTED'],
    ['NaN bounds', NaN, NaN, { above: 0 }, 'INCONCLUSIVE'],
  ])('%s', (_name, lo, hi, e, verdict) => {
    expect(decide(lo, hi, e).verdict).toBe(verdict);
  });

  it('words the clause in display units', () => {
    expect(decide(0.05, 0.1, { above: 0.02 }, 100, 'points').clause).toBe('entirely above the threshold 2 points');
    expect(decide(-1.1, -0.9, { between: [-1.2, -0.8] }).clause).toBe('inside the band -1.2 to -0.8');
  });
});

describe('decideEquivalence', () => {
  it.each<[number, number, number, string]>([
    [-0.004, 0.004, 0.005, 'SUPPORTED'],
    [-0.004, 0.005, 0.005, 'INCONCLUSIVE'],
    [-0.02, 0.02, 0.005, 'INCONCLUSIVE'],
    [0.005, 0.02, 0.005, 'NOT SUPPORTED'],
    [-0.03, -0.01, 0.005, 'NOT SUPPORTED'],
    [NaN, 0, 0.005, 'INCONCLUSIVE'],
  ])('[%s, %s] with margin %s', (lo, hi, m, verdict) => {
    expect(decideEquivalence(lo, hi, m).verdict).toBe(verdict);
  });
});

describe('formatting', () => {
  it.each<[number, boolean, string]>([
    [12.3456, true, '+12.3'], [-0.000123456, false, '-0.000123'], [1234.5, false, '1230'], [0, true, '0'],
    [Infinity, false, 'infinity'], [NaN, false, 'NaN'],
  ])('fmt(%s)', (x, signed, s) => expect(fmt(x, signed)).toBe(s));

  it('describes expectations', () => {
    expect(describeExpectation({ above: 0 })).toBe('> 0');
    expect(describeExpectation({ below: 0.01 }, 100)).toBe('< 1');
    expect(describeExpectation({ between: [-1.2, -0.8] })).toBe('in [-1.2, -0.8]');
  });
});

import { describe, expect, it } from 'vitest';
import { parseThreads, planThreads } from './threads.ts';

describe('planThreads', () => {
  it.each([
    // cores, workers, explicit, threads
    [2, 1, undefined, 2],
    [2, 2, undefined, 1],
    [16, 4, undefined, 4],
    [16, 3, undefined, 5],
    [2, 5, undefined, 1],
    [8, 2, 3, 3],
  ])('%i cores, %i workers, explicit %s -> %i', (cores, workers, explicit, want) => {
    expect(planThreads(cores, workers, explicit)).toBe(want);
  });
});

describe('parseThreads', () => {
  it.each([[1, 1], ['4', 4]])('%j -> %i', (raw, want) => expect(parseThreads(raw)).toBe(want));
  it.each([0, -1, 1.5, 'x', ''])('rejects %j', (raw) => expect(parseThreads(raw)).toMatch(/expected a positive integer/));
});

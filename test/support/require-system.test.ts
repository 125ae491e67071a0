import { describe, expect, it } from 'vitest';
import { requireSystem } from './require-system.ts';

describe('requireSystem', () => {
  it.each([
    // present, BATCHLAB_REQUIRE_SYSTEM, expected (true = skip)
    [true, undefined, false],
    [true, '1', false],
    [false, undefined, true],
    [false, '0', true],
  ])('present %s, BATCHLAB_REQUIRE_SYSTEM=%s -> skip %s', (present, flag, expected) => {
    expect(requireSystem('pkg-x', present, { env: { BATCHLAB_REQUIRE_SYSTEM: flag }, warn: () => {} })).toBe(expected);
  });

  it('fails, naming the package and why, when required and absent', () => {
    expect(() => requireSystem('pkg-x', false, { why: 'no device', env: { BATCHLAB_REQUIRE_SYSTEM: '1' } }))
      .toThrow(/\(no device\): apt-get install pkg-x/);
  });

  it('names the package in the skip message, and prints nothing when present', () => {
    const warned: string[] = [];
    requireSystem('pkg-x', true, { env: {}, warn: (m) => warned.push(m) });
    expect(warned).toEqual([]);
    requireSystem('pkg-x', false, { env: {}, warn: (m) => warned.push(m) });
    expect(warned).toEqual(['skipped: needs the Debian package pkg-x; apt-get install pkg-x']);
  });
});

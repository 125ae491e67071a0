import { describe, expect, it } from 'vitest';
import { adjustFamily, familyHeader, familySize, labelAfterFamily } from './family.ts';
import type { Verdict } from './types.ts';

const v = (p: number, verdict: Verdict['verdict'] = 'SUPPORTED'): Verdict => ({ p, verdict } as Verdict);

describe('adjustFamily', () => {
  // Holm by hand over [0.01, 0.04, 0.03] + [0.005, NaN]: four tests; sorted 0.005, 0.01, 0.03, 0.04
  // -> 4 x 0.005 = 0.02, 3 x 0.01 = 0.03, 2 x 0.03 = 0.06, max(0.06, 1 x 0.04) = 0.06.
  const groups = [[v(0.01), v(0.04), v(0.03)], [v(0.005), v(NaN)]];

  it("'all': one family over every test printed; a verdict without p is not counted", () => {
    const adj = adjustFamily(groups, 'all');
    expect(adj[0]![0]).toBeCloseTo(0.03, 14);
    expect(adj[0]![1]).toBeCloseTo(0.06, 14);
    expect(adj[0]![2]).toBeCloseTo(0.06, 14);
    expect(adj[1]![0]).toBeCloseTo(0.02, 14);
    expect(adj[1]![1]).toBeNaN();
    expect(familySize(groups)).toBe(4);
  });

  it("'spec': within each group (3 x 0.01 = 0.03, 2 x 0.03 = 0.06, 0.06; the lone test keeps its p)", () => {
    const adj = adjustFamily(groups, 'spec');
    expect(adj[0]!.map((x) => Number(x.toFixed(12)))).toEqual([0.03, 0.06, 0.06]);
    expect(adj[1]![0]).toBeCloseTo(0.005, 14);
  });

  it('the header names the family, and a SUPPORTED verdict that does not survive it says so', () => {
    expect(familyHeader('all', 4)).toBe('p (Holm over all 4 tests here)');
    expect(familyHeader('spec', 4)).toBe('p (Holm within each spec)');
    expect(labelAfterFamily(v(0.03), 0.06)).toBe('SUPPORTED (not after Holm)');
    expect(labelAfterFamily(v(0.01), 0.03)).toBe('SUPPORTED');
    expect(labelAfterFamily(v(0.9, 'NOT SUPPORTED'), 1)).toBe('NOT SUPPORTED');
    expect(labelAfterFamily(v(NaN), NaN)).toBe('SUPPORTED');
  });
});

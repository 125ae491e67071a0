import { describe, expect, it } from 'vitest';
import { holmAdjust } from './holm.ts';

describe('holmAdjust', () => {
  it('the four-hypothesis example of the Holm-Bonferroni method', () => {
    // p = (0.01, 0.04, 0.03, 0.005): sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06,
    // 0.04*1 -> max(0.04, 0.06) = 0.06; R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")
    // gives 0.03 0.06 0.06 0.02. At alpha 0.05 H1 and H4 are rejected, as in the example.
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((e, i) => expect(adj[i]).toBeCloseTo(e, 14));
  });

  it('caps at 1, keeps NaN out of the family, and leaves a single p alone', () => {
    const adj = holmAdjust([0.5, NaN, 0.4]);
    expect(adj[0]).toBe(0.8);
    expect(adj[1]).toBeNaN();
    expect(adj[2]).toBe(0.8);
    expect(holmAdjust([0.7, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([0.023])).toEqual([0.023]);
    expect(holmAdjust([])).toEqual([]);
  });
});

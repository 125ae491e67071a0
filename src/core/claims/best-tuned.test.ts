import { describe, expect, it } from 'vitest';
import { bestTuned, parabolaVertex } from './best-tuned.ts';

/** A grid of LRs with factor `step` around an accuracy that is a parabola in log LR, peaking at `optimum`. */
function grid(optimum: number, from: number, step: number, count: number, curvature = 0.05) {
  return Array.from({ length: count }, (_, i) => {
    const value = from * step ** i;
    return { value, score: 0.95 - curvature * (Math.log(value) - Math.log(optimum)) ** 2 };
  });
}

describe('parabolaVertex', () => {
  it('finds the vertex of y = -(x - 0.3)^2 from unevenly spaced points', () => {
    const f = (x: number) => -((x - 0.3) ** 2);
    expect(parabolaVertex(-1, f(-1), 0.5, f(0.5), 2, f(2))).toBeCloseTo(0.3, 12);
    expect(parabolaVertex(0, 1, 1, 2, 2, 3)).toBeNaN(); // collinear
  });
});

describe('bestTuned', () => {
  it.each([0.013, 0.02, 0.0317, 0.05, 0.071])('recovers an optimum at %d off the sqrt(2) grid', (optimum) => {
    const best = bestTuned(grid(optimum, 0.005, Math.SQRT2, 12), 'max', true)!;
    expect(best.how).toBe('parabola');
    expect(best.value / optimum).toBeCloseTo(1, 10);
  });

  it('without interpolation, returns the best grid point', () => {
    const best = bestTuned(grid(0.013, 0.005, Math.SQRT2, 12), 'max', false)!;
    expect(best).toEqual({ value: 0.005 * Math.SQRT2 ** 3, how: 'grid point' });
  });

  it('clamps to the grid edge when the best is at either end', () => {
    expect(bestTuned(grid(0.001, 0.005, Math.SQRT2, 8), 'max', true)).toEqual({ value: 0.005, how: 'grid edge' });
    const top = bestTuned(grid(10, 0.005, Math.SQRT2, 8), 'max', true)!;
    expect(top.how).toBe('grid edge');
    expect(top.value).toBeCloseTo(0.005 * Math.SQRT2 ** 7, 12);
  });

  it('minimises for goal min, skips missing scores and treats diverged as the worst', () => {
    const loss = grid(0.02, 0.005, Math.SQRT2, 10).map((c) => ({ ...c, score: -c.score }));
    expect(bestTuned(loss, 'min', true)!.value).toBeCloseTo(0.02, 10);
    const withGaps = [
      { value: 0.01, score: 0.9 }, { value: 0.02, score: NaN }, { value: 0.04, score: 0.95 },
      { value: 0.08, score: 0.93 }, { value: 0.16, score: -Infinity },
    ];
    const b = bestTuned(withGaps, 'max', true)!;
    expect(b.how).toBe('parabola'); // neighbours of 0.04 are 0.01 and 0.08 (0.02 has no data)
    expect(b.value).toBeGreaterThan(0.01);
    expect(b.value).toBeLessThan(0.08);
    // A diverged neighbour gives no parabola.
    expect(bestTuned([{ value: 1, score: 0.5 }, { value: 2, score: 0.9 }, { value: 4, score: -Infinity }], 'max', true))
      .toEqual({ value: 2, how: 'grid point' });
    expect(bestTuned([{ value: 1, score: -Infinity }], 'max', true)).toBeUndefined();
    expect(bestTuned([], 'max', true)).toBeUndefined();
  });

  it('a slope fitted to interpolated optima is not quantised by the grid', () => {
    // True best LR = 0.01 * (B/16)^0.75; on a sqrt(2) grid the grid optimum alone would give
    // a slope that is a multiple of ln(sqrt 2)/ln(4) steps per point.
    const bs = [16, 64, 256, 1024];
    const best = bs.map((b) => bestTuned(grid(0.01 * (b / 16) ** 0.75, 0.002, Math.SQRT2, 20), 'max', true)!.value);
    const xs = bs.map(Math.log);
    const ys = best.map(Math.log);
    const mx = xs.reduce((s, v) => s + v, 0) / 4;
    const my = ys.reduce((s, v) => s + v, 0) / 4;
    const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    expect(slope).toBeCloseTo(0.75, 10);
  });
});

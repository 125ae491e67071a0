/**
 * The best value of a tuned column (usually the LR) from a grid of (value, score) pairs, with
 * the optimum interpolated between grid points: a parabola in log(value) through the best grid
 * point and its two neighbours, whose vertex is the estimate. Without it the best LR can only
 * take grid values, and a slope fitted to it is quantised by the grid's spacing.
 */
import type { Goal } from './types.ts';

export interface Candidate {
  /** The tuned column's value, e.g. the LR. */
  value: number;
  /** The metric there (e.g. mean test accuracy); -Infinity/Infinity = the worst (diverged); NaN = no data. */
  score: number;
}

export interface BestTuned {
  value: number;
  /** How the value was found: the vertex of the parabola, or the grid point itself and why ('grid edge': the smallest or largest value tried). */
  how: 'parabola' | 'grid edge' | 'grid point';
}

/**
 * Vertex of the parabola through three points with distinct xs; NaN when they are collinear.
 * For the best point between two worse ones the vertex lies between the outer two.
 */
export function parabolaVertex(x0: number, y0: number, x1: number, y1: number, x2: number, y2: number): number {
  const a = (x1 - x0) * (y1 - y2);
  const b = (x1 - x2) * (y1 - y0);
  const den = a - b;
  if (den === 0) return NaN;
  return x1 - 0.5 * ((x1 - x0) * a - (x1 - x2) * b) / den;
}

/**
 * The best candidate by `goal` (ties: the smaller value); undefined when no candidate has a
 * score. At either end of the grid it is marked 'grid edge' (interpolated or not: the optimum
 * may lie beyond, so the value is only a bound). With `interpolate`, the optimum is refined by the parabola in log(value) through the
 * best point and its neighbours in the sorted grid. It stays at the grid point when the best is
 * at either end of the grid (clamped to the edge: the optimum may lie beyond), when a neighbour
 * has no finite score (diverged or missing), when values are not all > 0, or when the three
 * scores are collinear (a flat top).
 */
export function bestTuned(candidates: readonly Candidate[], goal: Goal, interpolate: boolean): BestTuned | undefined {
  const grid = candidates.filter((c) => !Number.isNaN(c.score)).sort((a, b) => a.value - b.value);
  if (grid.length === 0) return undefined;
  const sign = goal === 'max' ? 1 : -1;
  let best = -1;
  for (let i = 0; i < grid.length; i++) {
    const s = sign * grid[i]!.score;
    if (s === -Infinity) continue;
    if (best < 0 || s > sign * grid[best]!.score) best = i;
  }
  if (best < 0) return undefined; // every candidate diverged
  const at = grid[best]!;
  if (best === 0 || best === grid.length - 1) return { value: at.value, how: 'grid edge' };
  if (!interpolate) return { value: at.value, how: 'grid point' };
  const lo = grid[best - 1]!;
  const hi = grid[best + 1]!;
  if (!Number.isFinite(lo.score) || !Number.isFinite(hi.score) || !(lo.value > 0)) return { value: at.value, how: 'grid point' };
  const v = parabolaVertex(Math.log(lo.value), lo.score, Math.log(at.value), at.score, Math.log(hi.value), hi.score);
  if (!Number.isFinite(v)) return { value: at.value, how: 'grid point' };
  const clamped = Math.min(Math.log(hi.value), Math.max(Math.log(lo.value), v));
  return { value: Math.exp(clamped), how: 'parabola' };
}

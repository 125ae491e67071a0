/**
 * Holm's step-down adjustment of p-values for a family of tests (Holm 1979): controls the
 * family-wise error rate without assuming independence, and is uniformly more powerful than
 * Bonferroni. Same result as R's p.adjust(p, method = "holm").
 */

/**
 * Adjusted p-values in the input order. NaN entries are left NaN and do not count in the
 * family size (a test that could not be run is not part of it).
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const valid = ps.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p));
  valid.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const m = valid.length;
  const out = ps.map(() => NaN);
  let running = 0;
  valid.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

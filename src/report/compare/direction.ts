/**
 * Direction: which way a metric is better, and each cell of the later inputs against the same
 * cell of the first (difference, separated confidence intervals, regression). Pure.
 */
import type { Cell, CellStats, Direction } from './types.ts';

/** Which way is better for a metric, by its name; null when the name does not say. */
export function metricDirection(metric: string): Direction | null {
  if (/gen_gap|loss|wall|_ms$|_s$/.test(metric) && !/per_s$/.test(metric)) return 'lower';
  if (/acc|per_s$/.test(metric)) return 'higher';
  return null;
}

/**
 * The later inputs' `value`s against the first input's `baseline` for one cell (`keys`): the
 * difference of means, whether the 95% CIs are apart, and, when a tolerance is given, whether the
 * value is worse than the baseline by more than it (or has no completed run where the baseline had).
 */
export function compareToBaseline(
  keys: Record<string, string>, baseline: CellStats | null, values: readonly (CellStats | null)[],
  labels: readonly string[], direction: Direction | null, tolerance: number | undefined,
): Cell[] {
  return values.map((value, j) => {
    const diff = baseline && value && baseline.n && value.n ? value.mean - baseline.mean : NaN;
    const ciSeparated = !!(baseline && value && baseline.n >= 2 && value.n >= 2
      && (baseline.ciHigh < value.ciLow || value.ciHigh < baseline.ciLow));
    let regression = false;
    if (tolerance !== undefined && baseline && baseline.n > 0) {
      if (!value || value.n === 0) regression = true;
      else regression = direction === 'higher' ? diff < -tolerance : diff > tolerance;
    }
    return { keys, label: labels[j + 1]!, baselineLabel: labels[0]!, baseline, value, diff, ciSeparated, regression };
  });
}

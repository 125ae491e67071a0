/**
 * The one place the findings take a Student t quantile from src/core/stats.ts, so a change of
 * that module's t-quantile API touches one line here. Pure.
 */
import { tQuantile } from '../../core/stats.ts';

/** The 0.975 quantile of Student's t with `df` >= 1 degrees of freedom: a 95% two-sided interval. */
export function t975(df: number): number {
  return tQuantile(df, 0.975);
}

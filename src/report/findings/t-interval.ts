/**
 * The one place the findings take a Student t quantile from src/core/distributions.ts, so a change of
 * that module's t-quantile API touches one line here. Pure.
 */
import { tQuantile } from '../../core/distributions.ts';

/** The 0.975 quantile of Student's t with `df` >= 1 degrees of freedom: a 95% two-sided interval. */
export function t975(df: number): number {
  return tQuantile(0.975, df);
}

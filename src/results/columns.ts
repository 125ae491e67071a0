/** Column orders of the result CSVs. Columns are appended over time, never renamed. */
export const CURVE_COLUMNS = [
  'step', 'epoch', 'examples_seen', 'batch_size', 'lr', 'train_loss', 'train_eval_loss',
  'train_eval_acc', 'test_loss', 'test_acc', 'wall_ms',
] as const;

/** Columns every summary.csv has; readers require them. */
export const REQUIRED_SUMMARY_COLUMNS = [
  'run_id', 'status', 'batch_size', 'base_lr', 'lr', 'scaling_rule', 'seed', 'steps', 'epochs',
  'examples_seen', 'final_train_loss', 'final_train_acc', 'final_test_loss', 'final_test_acc',
  'gen_gap_loss', 'gen_gap_acc', 'best_test_acc', 'wall_s', 'samples_per_s', 'backend',
] as const;

/**
 * Columns written to every new summary.csv, before the sweep's design columns (arm, axes). The
 * ones after REQUIRED_SUMMARY_COLUMNS were added later: summaries written before them lack them,
 * so readers take them when present and never count them as design columns.
 */
export const SUMMARY_COLUMNS = [
  ...REQUIRED_SUMMARY_COLUMNS,
  'precise_bn_train_acc', 'precise_bn_test_loss', 'precise_bn_test_acc', // train.preciseBn only
] as const;

/** The design columns (arm, axes) of a summary's header: every column batchlab does not write itself. */
export function designColumns(columns: readonly string[]): string[] {
  const own = new Set<string>(SUMMARY_COLUMNS);
  return columns.filter((c) => !own.has(c));
}

/** Appended to curve.csv when the run measures gradient statistics (train.noiseScale / gradVariance). */
export const GRAD_STATS_COLUMNS = ['grad_norm_sq', 'trace_sigma', 'noise_scale', 'grad_var', 'grad_var_iid'] as const;

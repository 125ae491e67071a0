/** Column orders of the result CSVs. Columns are appended over time, never renamed. */
export const CURVE_COLUMNS = [
  'step', 'epoch', 'examples_seen', 'batch_size', 'lr', 'train_loss', 'train_eval_loss',
  'train_eval_acc', 'test_loss', 'test_acc', 'wall_ms',
] as const;

export const SUMMARY_COLUMNS = [
  'run_id', 'status', 'batch_size', 'base_lr', 'lr', 'scaling_rule', 'seed', 'steps', 'epochs',
  'examples_seen', 'final_train_loss', 'final_train_acc', 'final_test_loss', 'final_test_acc',
  'gen_gap_loss', 'gen_gap_acc', 'best_test_acc', 'wall_s', 'samples_per_s', 'backend',
] as const;

/** Appended to curve.csv when the run measures gradient statistics (train.noiseScale / gradVariance). */
export const GRAD_STATS_COLUMNS = ['grad_norm_sq', 'trace_sigma', 'noise_scale', 'grad_var', 'grad_var_iid'] as const;

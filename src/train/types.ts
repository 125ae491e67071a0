/** What the training loop consumes and emits. `step` always means one optimizer update. */
import type * as tf from '@tensorflow/tfjs';
import type { Task } from './loss.ts';

export type RunStatus = 'completed' | 'diverged' | 'failed' | 'aborted';

/** Tensors on the device. trainEval* is a fixed train subset (the test set's size) for the generalisation gap. */
export interface TrainData {
  task: Task;
  trainX: tf.Tensor;
  trainY: tf.Tensor;
  trainEvalX: tf.Tensor;
  trainEvalY: tf.Tensor;
  testX: tf.Tensor;
  testY: tf.Tensor;
  /** The validation split (data.validationSize), carved from the train examples; absent without one. */
  valX?: tf.Tensor;
  valY?: tf.Tensor;
}

/** One row of curve.csv. Eval columns are null on rows without an evaluation; acc is null for regression. */
export interface CurveRow {
  step: number;
  epoch: number;
  examples_seen: number;
  batch_size: number;
  lr: number;
  train_loss: number | null; // mean per-example loss of the steps since the previous row
  train_eval_loss: number | null;
  train_eval_acc: number | null;
  test_loss: number | null;
  test_acc: number | null;
  wall_ms: number;
  // Present only when train.noiseScale or train.gradVariance is set; null on rows without a measurement.
  grad_norm_sq?: number | null; // |G|^2, moving average (McCandlish et al. two-batch estimator)
  trace_sigma?: number | null; // tr(Sigma) of per-example gradients, moving average
  noise_scale?: number | null; // B_simple = trace_sigma / grad_norm_sq, examples
  grad_var?: number | null; // E||g_B - g_ref||^2 at the current batch size
  grad_var_iid?: number | null; // grad_var corrected for sampling without replacement: tr(Sigma)/B
  // Present only with a validation split (data.validationSize); null on rows without an evaluation.
  val_loss?: number | null;
  val_acc?: number | null;
}

/** One row of step-losses.csv: one optimizer step's training loss, read back with its group (pending-losses.ts). */
export interface StepLossRow {
  step: number;
  examples_seen: number; // after this step
  train_loss: number; // mean per-example loss of this step's batch (before the update); may be non-finite in a diverged run
}

export interface StepProgress {
  step: number;
  epoch: number;
  examplesSeen: number;
  loss: number | null;
  /** Fraction of the budget consumed, in [0,1]. */
  progress: number;
}

export interface TrainObserver {
  /** Every step's loss since the previous row, in step order; called just before that row's onRow. */
  onStepLosses?(rows: StepLossRow[]): void | Promise<void>;
  onRow?(row: CurveRow): void | Promise<void>;
  onProgress?(p: StepProgress): void;
}

export interface FinalMetrics {
  train_loss: number | null; // train-subset loss in inference mode
  train_acc: number | null;
  test_loss: number | null;
  test_acc: number | null;
  best_test_acc: number | null;
  // Only with a validation split (data.validationSize): the same evaluations on it.
  val_loss?: number | null;
  val_acc?: number | null;
  best_val_acc?: number | null;
  // Only with train.preciseBn: evaluated with BN population statistics recomputed after training.
  precise_bn_train_acc?: number | null;
  precise_bn_test_loss?: number | null;
  precise_bn_test_acc?: number | null;
}

export interface TrainResult {
  status: Exclude<RunStatus, 'failed'>;
  reason?: string;
  steps: number;
  epochs: number;
  examplesSeen: number;
  final: FinalMetrics;
  trainMs: number; // time in optimizer steps, evaluation excluded
  wallMs: number;
  /** Time evaluating (in this process, for a resumed run), part of wallMs but not of trainMs. */
  evalMs: number;
  /** Training time of the first FIRST_STEPS steps (one-off costs: kernel set-up, caches); null for a shorter run. */
  firstStepsMs: number | null;
}

/**
 * The names and attributes of the kernels batchlab adds to tfjs. The ops that call them live in
 * models/ (batch-norm-train.ts, group-norm-kernel.ts); the backends that implement them live
 * here in backend/, so both sides import the names from this one place.
 */

/** Training-mode batch normalisation: y and the batch statistics in one kernel (models/batch-norm-train.ts). */
export const BN_TRAIN = 'BatchlabBatchNormTrain';
export const BN_TRAIN_GRAD = 'BatchlabBatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  epsilon: number;
}

/** GroupNorm forward and backward (models/group-norm-kernel.ts). */
export const GN = 'BatchlabGroupNorm';
export const GN_GRAD = 'BatchlabGroupNormGrad';

export interface GroupNormAttrs {
  groups: number;
  epsilon: number;
}

/**
 * One SGD update of one variable (train/optimizers.ts): inputs w, g, lr (scalar) and, with momentum,
 * velocity; outputs the new w and, with momentum, the new velocity. Only backends that register it
 * run it; elsewhere the optimizer composes the same update from tensor ops.
 */
export const SGD_UPDATE = 'BatchlabSgdUpdate';

export interface SgdUpdateAttrs {
  momentum: number;
  /** L2 coefficient added to the gradient (0: none; the optimizer passes 0 for biases and norm scales). */
  weightDecay: number;
  nesterov: boolean;
}

/**
 * One Adam update of one variable (train/optimizers.ts): inputs w, g, m, s, lr (scalar); outputs
 * the new w, m and s. Registered by webgpu only; elsewhere the optimizer's op chain.
 */
export const ADAM_UPDATE = 'BatchlabAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** L2 coefficient added to the gradient (0 for biases and norm scales). */
  weightDecay: number;
  /** Bias corrections 1 - beta1^t and 1 - beta2^t of this update. */
  correction1: number;
  correction2: number;
}

/**
 * Softmax cross-entropy per example (train/softmax-cross-entropy.ts): inputs logits [B, C] and
 * labels [B, C]; outputs loss [B] and the log-sum-exp of each row [B] (saved for the gradient).
 * The gradient kernel takes dy [B], logits, labels and lse, and returns dlogits.
 */
export const SOFTMAX_XENT = 'BatchlabSoftmaxCrossEntropy';
export const SOFTMAX_XENT_GRAD = 'BatchlabSoftmaxCrossEntropyGrad';

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
 * the new w, m and s. Registered by native and webgpu; elsewhere the optimizer's op chain.
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
 * Softmax cross-entropy (train/softmax-cross-entropy.ts): inputs logits [B, C] and labels
 * [B, C]; attr reduction; outputs the loss ([B] per example, or a scalar mean or sum) and the
 * log-sum-exp of each row [B] (saved for the gradient). The gradient kernel takes dy (the
 * loss's shape), logits, labels and lse, and returns dlogits.
 */
export const SOFTMAX_XENT = 'BatchlabSoftmaxCrossEntropy';
export const SOFTMAX_XENT_GRAD = 'BatchlabSoftmaxCrossEntropyGrad';

export interface SoftmaxCrossEntropyAttrs {
  /** 'none': loss per row; 'mean' / 'sum': one scalar over the rows. */
  reduction: 'none' | 'mean' | 'sum';
}

/**
 * BatchNorm's moving statistics after a training call (models/batch-norm.ts): inputs
 * movingMean, movingVariance, mean, variance (all [C]); attr momentum; outputs
 * moving * momentum + batch * (1 - momentum) for the mean and the variance. Registered by
 * webgpu only (one dispatch for the six ops of the layer's own update).
 */
export const BN_MOVING = 'BatchlabBatchNormMoving';

export interface BatchNormMovingAttrs {
  momentum: number;
}

/**
 * Plain SGD (no momentum) of two variables in one kernel: inputs w, g, w2, g2, lr; outputs the
 * new w and w2. Registered by webgpu only; train/optimizers.ts pairs the variables when it is.
 */
export const SGD_UPDATE_PAIR = 'BatchlabSgdUpdatePair';

export interface SgdUpdatePairAttrs {
  weightDecay: number;
  weightDecay2: number;
}

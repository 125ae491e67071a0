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

/**
 * Normalisation kernels, the closed forms natively: BatchlabBatchNormTrain / ...Grad
 * (src/models/batch-norm-train.ts) and BatchlabGroupNorm / ...Grad (src/models/group-norm-kernel.ts),
 * per sample and group; and tfjs's FusedBatchNorm (inference with the moving statistics) with the
 * cpu kernel's arithmetic, so evaluations stay bit-identical to it.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_TRAIN, BN_TRAIN_GRAD, GN, GN_GRAD, type BatchNormTrainAttrs, type GroupNormAttrs } from '../../kernel-names.ts';
import type { NativeAddon } from '../addon.ts';
import { InternalError } from '../../../errors.ts';
import { allFloat, allocEach, cpuKernel, cpuOf, output, values, valuesOrNull, type Info, type NamedKernels } from './support.ts';

/** The shapes of a norm's gradients: dx like x, dgamma and dbeta like gamma. */
function gradientShapes(x: Info, gamma: Info): number[][] {
  return [x.shape.slice(), [gamma.shape[0]], [gamma.shape[0]]];
}

function batchNormTrainKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { x, gamma, beta } = args.inputs;
    if (!x || !gamma || !beta || !allFloat(x, gamma, beta)) throw new InternalError(`${BN_TRAIN}: expected float32 x, gamma and beta`);
    const backend = cpuOf(args);
    const c = gamma.shape[0];
    const [outputs, [y, mean, variance]] = allocEach(backend, [x.shape.slice(), [c], [c]]);
    addon.batchNormForward(
      values(backend, x), values(backend, gamma), values(backend, beta), (args.attrs as unknown as BatchNormTrainAttrs).epsilon, y, mean, variance,
    );
    return outputs;
  };
}

function batchNormTrainGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, x, gamma, mean, variance, dmean, dvariance } = args.inputs;
    if (!dy || !x || !gamma || !mean || !variance || !allFloat(dy, x, gamma, mean, variance, dmean, dvariance)) {
      throw new InternalError(`${BN_TRAIN_GRAD}: expected float32 dy, x, gamma, mean and variance`);
    }
    const backend = cpuOf(args);
    const [outputs, [dx, dgamma, dbeta]] = allocEach(backend, gradientShapes(x, gamma));
    addon.batchNormBackward(
      values(backend, dy), values(backend, x), values(backend, gamma), values(backend, mean), values(backend, variance),
      (args.attrs as unknown as BatchNormTrainAttrs).epsilon, valuesOrNull(backend, dmean), valuesOrNull(backend, dvariance), dx, dgamma, dbeta,
    );
    return outputs;
  };
}

function groupNormKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { x, gamma, beta } = args.inputs;
    if (!x || !gamma || !beta || !allFloat(x, gamma, beta)) throw new InternalError(`${GN}: expected float32 x, gamma and beta`);
    const { groups, epsilon } = args.attrs as unknown as GroupNormAttrs;
    const backend = cpuOf(args);
    const n = x.shape[0];
    const [outputs, [y, mean, rstd]] = allocEach(backend, [x.shape.slice(), [n, groups], [n, groups]]);
    addon.groupNormForward(values(backend, x), values(backend, gamma), values(backend, beta), epsilon, n, groups, y, mean, rstd);
    return outputs;
  };
}

function groupNormGradKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, x, gamma, mean, rstd, dmean, drstd } = args.inputs;
    if (!dy || !x || !gamma || !mean || !rstd || !allFloat(dy, x, gamma, mean, rstd, dmean, drstd)) {
      throw new InternalError(`${GN_GRAD}: expected float32 dy, x, gamma, mean and rstd`);
    }
    const { groups } = args.attrs as unknown as GroupNormAttrs;
    const backend = cpuOf(args);
    const [outputs, [dx, dgamma, dbeta]] = allocEach(backend, gradientShapes(x, gamma));
    addon.groupNormBackward(
      values(backend, dy), values(backend, x), values(backend, gamma), values(backend, mean), values(backend, rstd),
      valuesOrNull(backend, dmean), valuesOrNull(backend, drstd), x.shape[0], groups, dx, dgamma, dbeta,
    );
    return outputs;
  };
}

/**
 * FusedBatchNorm natively when every statistic is given and has one value per channel of x's
 * last axis (what batchlab's BatchNorm layer passes); other forms go to the cpu kernel.
 */
function batchNormInferenceKernel(run: NonNullable<NativeAddon['batchNormInference']>): tf.KernelFunc {
  const fallback = cpuKernel(tf.FusedBatchNorm);
  return (args) => {
    const { x, mean, variance, scale, offset } = args.inputs;
    const c = x?.shape[x.shape.length - 1];
    const perChannel = [mean, variance, scale, offset].every((t) => t != null && t.shape.length === 1 && t.shape[0] === c);
    if (!x || !perChannel || !allFloat(x, mean, variance, scale, offset)) return fallback(args);
    const backend = cpuOf(args);
    const epsilon = (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon ?? 0.001;
    return output(backend, x.shape.slice(), (y) => run(
      values(backend, x), values(backend, mean!), values(backend, variance!), values(backend, scale!), values(backend, offset!), epsilon, y,
    ));
  };
}

export function normKernels(addon: NativeAddon): NamedKernels {
  const inference: NamedKernels = addon.batchNormInference
    ? [[tf.FusedBatchNorm, batchNormInferenceKernel(addon.batchNormInference.bind(addon))]] : [];
  return [
    ...inference,
    [BN_TRAIN, batchNormTrainKernel(addon)],
    [BN_TRAIN_GRAD, batchNormTrainGradKernel(addon)],
    [GN, groupNormKernel(addon)],
    [GN_GRAD, groupNormGradKernel(addon)],
  ];
}

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
import { allFloat, cpuKernel, cpuOf, output, outputs, values, valuesOrNull, type Info, type NamedKernels } from './support.ts';

function batchNormTrainKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { x, gamma, beta } = args.inputs;
    if (!x || !gamma || !beta || !allFloat(x, gamma, beta)) throw new InternalError(`${BN_TRAIN}: expected float32 x, gamma and beta`);
    const backend = cpuOf(args);
    const c = gamma.shape[0];
    return outputs(backend, [x.shape.slice(), [c], [c]], ([y, mean, variance]) => addon.batchNormForward(
      values(backend, x), values(backend, gamma), values(backend, beta), (args.attrs as unknown as BatchNormTrainAttrs).epsilon, y, mean, variance,
    ));
  };
}

function groupNormKernel(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { x, gamma, beta } = args.inputs;
    if (!x || !gamma || !beta || !allFloat(x, gamma, beta)) throw new InternalError(`${GN}: expected float32 x, gamma and beta`);
    const { groups, epsilon } = args.attrs as unknown as GroupNormAttrs;
    const backend = cpuOf(args);
    const n = x.shape[0];
    return outputs(backend, [x.shape.slice(), [n, groups], [n, groups]], ([y, mean, rstd]) => addon.groupNormForward(
      values(backend, x), values(backend, gamma), values(backend, beta), epsilon, n, groups, y, mean, rstd,
    ));
  };
}

/** A norm backward's inputs as arrays: `spread` is the statistic beside the mean (variance or rstd). */
interface NormGradInputs {
  dy: Float32Array; x: Float32Array; gamma: Float32Array; mean: Float32Array; spread: Float32Array;
  dmean: Float32Array | null; dspread: Float32Array | null;
}

/**
 * The shared shell of both norms' backward kernels: the inputs dy, x, gamma, mean, `spread` and
 * the optional dmean and d`spread`, checked and read; the outputs dx (like x), dgamma and dbeta
 * (like gamma) written by `run`.
 */
function normGradKernel(
  name: string, spread: 'variance' | 'rstd',
  run: (inputs: NormGradInputs, out: Float32Array[], x: Info, attrs: unknown) => void,
): tf.KernelFunc {
  return (args) => {
    const { dy, x, gamma, mean, dmean } = args.inputs;
    const s = args.inputs[spread], ds = args.inputs[`d${spread}`];
    if (!dy || !x || !gamma || !mean || !s || !allFloat(dy, x, gamma, mean, s, dmean, ds)) {
      throw new InternalError(`${name}: expected float32 dy, x, gamma, mean and ${spread}`);
    }
    const backend = cpuOf(args);
    const c = gamma.shape[0];
    return outputs(backend, [x.shape.slice(), [c], [c]], (out) => run({
      dy: values(backend, dy), x: values(backend, x), gamma: values(backend, gamma), mean: values(backend, mean), spread: values(backend, s),
      dmean: valuesOrNull(backend, dmean), dspread: valuesOrNull(backend, ds),
    }, out, x, args.attrs));
  };
}

const batchNormTrainGradKernel = (addon: NativeAddon): tf.KernelFunc => normGradKernel(
  BN_TRAIN_GRAD, 'variance', (v, [dx, dgamma, dbeta], _x, attrs) => addon.batchNormBackward(
    v.dy, v.x, v.gamma, v.mean, v.spread, (attrs as unknown as BatchNormTrainAttrs).epsilon, v.dmean, v.dspread, dx, dgamma, dbeta,
  ),
);

const groupNormGradKernel = (addon: NativeAddon): tf.KernelFunc => normGradKernel(
  GN_GRAD, 'rstd', (v, [dx, dgamma, dbeta], x, attrs) => addon.groupNormBackward(
    v.dy, v.x, v.gamma, v.mean, v.spread, v.dmean, v.dspread, x.shape[0], (attrs as unknown as GroupNormAttrs).groups, dx, dgamma, dbeta,
  ),
);

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

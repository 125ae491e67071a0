/**
 * GroupNorm as one kernel with its own gradient kernel, the pattern of batch-norm-train.ts.
 *
 * Composed from tensor ops, a GroupNorm layer costs a reshape, moments, and a handful of
 * element-wise ops over the whole activation forward, and autodiff walks each of them backward.
 * Here the forward returns y and the per-(sample, group) statistics in one kernel and the
 * backward is the closed form in one more:
 *
 *   BatchlabGroupNorm      inputs x [N, ...spatial, C], gamma [C], beta [C]; attrs groups, epsilon
 *                          outputs y (x's shape), mean [N, G], rstd [N, G] (1 / sqrt(var + eps),
 *                          biased variance over spatial x C/G values)
 *   BatchlabGroupNormGrad  inputs dy, x, gamma, mean, rstd, and dmean, drstd (the gradients
 *                          reaching the statistics outputs, usually zeros); attrs groups, epsilon;
 *                          outputs dx, dgamma, dbeta
 *
 * The native backend runs both in its addon (src/backend/native/kernels.ts). Every other
 * backend gets the composed version below on first use: the same math from tensor ops.
 * GroupNorm keeps no running statistics, so training and inference run the same kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';
import { defineKernelPair } from './kernel-pair.ts';
import { GN, GN_GRAD, type GroupNormAttrs } from '../backend/kernel-names.ts';

export { GN, GN_GRAD, type GroupNormAttrs };

/** x [N, ...spatial, C] as [N, S, G, C/G]. */
function grouped(x: tf.Tensor, groups: number): tf.Tensor4D {
  const n = x.shape[0];
  const c = x.shape[x.rank - 1];
  const s = x.size / (n * c);
  return tf.reshape(x, [n, s, groups, c / groups]);
}

/** The forward from tensor ops: moments over (spatial, channels-in-group), then scale and shift. */
export function composedGroupNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon: number): tf.Tensor[] {
  return tf.tidy(() => {
    const xg = grouped(x, groups);
    const { mean, variance } = tf.moments(xg, [1, 3], true); // [N, 1, G, 1]
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const normed = tf.reshape(tf.mul(tf.sub(xg, mean), rstd), x.shape);
    const y = tf.add(tf.mul(normed, gamma), beta);
    const n = x.shape[0];
    return [y, tf.reshape(mean, [n, groups]), tf.reshape(rstd, [n, groups])];
  });
}

/**
 * The backward from tensor ops. Per (sample, group), with M = S * C/G values,
 * A = sum(gamma dy), B = sum(gamma dy (x - mean)):
 *   dx = rstd gamma dy + b (x - mean) + d,  b = -rstd^3 (B + drstd) / M,  d = (dmean - rstd A) / M
 *   dgamma = sum over samples and space of dy (x - mean) rstd,  dbeta = sum of dy.
 */
export function composedGroupNormGrad(
  dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor1D, mean: tf.Tensor2D, rstd: tf.Tensor2D, groups: number,
  dmean: tf.Tensor2D | null = null, drstd: tf.Tensor2D | null = null,
): tf.Tensor[] {
  return tf.tidy(() => {
    const xg = grouped(x, groups);
    const [n, s, , cg] = xg.shape;
    const count = s * cg;
    const dyg = grouped(dy, groups);
    const gg = tf.reshape(gamma, [1, 1, groups, cg]);
    const mu = tf.reshape(mean, [n, 1, groups, 1]);
    const r = tf.reshape(rstd, [n, 1, groups, 1]);
    const xc = tf.sub(xg, mu);
    const gdy = tf.mul(dyg, gg);
    const a = tf.sum(gdy, [1, 3], true);
    const bsum = tf.sum(tf.mul(gdy, xc), [1, 3], true);
    const r3 = tf.pow(r, 3);
    let b = tf.neg(tf.mul(r3, bsum));
    if (drstd) b = tf.sub(b, tf.mul(r3, tf.reshape(drstd, [n, 1, groups, 1])));
    b = tf.div(b, count);
    let d = tf.neg(tf.mul(r, a));
    if (dmean) d = tf.add(d, tf.reshape(dmean, [n, 1, groups, 1]));
    d = tf.div(d, count);
    const dx = tf.reshape(tf.add(tf.add(tf.mul(gdy, r), tf.mul(xc, b)), d), x.shape);
    const dgamma = tf.reshape(tf.sum(tf.mul(tf.mul(dyg, xc), r), [0, 1]), gamma.shape);
    const dbeta = tf.reshape(tf.sum(dyg, [0, 1]), gamma.shape);
    return [dx, dgamma, dbeta];
  });
}

const runGroupNorm = defineKernelPair<GroupNormAttrs>({
  forward: GN,
  backward: GN_GRAD,
  stats: ['mean', 'rstd'],
  composedForward: (x, gamma, beta, { groups, epsilon }) => composedGroupNorm(x, gamma, beta, groups, epsilon),
  composedBackward: (dy, x, gamma, [mean, rstd], [dmean, drstd], { groups }) => composedGroupNormGrad(
    dy, x, gamma, mean as tf.Tensor2D, rstd as tf.Tensor2D, groups, dmean as tf.Tensor2D | null, drstd as tf.Tensor2D | null,
  ),
});

/**
 * GroupNorm of float32 `x` [N, ...spatial, C] (rank >= 2) with `groups` contiguous channel
 * groups, then gamma and beta per channel. Returns y and the statistics ([N, groups]).
 */
export function groupNormFused(
  x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor2D; rstd: tf.Tensor2D } {
  const c = x.shape[x.rank - 1];
  if (x.rank < 2 || x.dtype !== 'float32' || gamma.shape[0] !== c || beta.shape[0] !== c || !(groups >= 1) || c % groups !== 0 || x.size === 0) {
    throw new InternalError(
      'groupNormFused needs non-empty float32 x of rank >= 2, gamma and beta of its channel count, and groups dividing it: ' +
        `got x ${x.dtype} ${JSON.stringify(x.shape)}, gamma ${JSON.stringify(gamma.shape)}, beta ${JSON.stringify(beta.shape)}, groups ${groups}`,
    );
  }
  const [y, mean, rstd] = runGroupNorm(x, gamma, beta, { groups, epsilon });
  return { y, mean: mean as tf.Tensor2D, rstd: rstd as tf.Tensor2D };
}

/**
 * The fused GroupNorm kernel pair (group-norm-kernel.ts) against GroupNorm composed from tensor
 * ops and differentiated by tfjs autodiff, on fresh random inputs, on the cpu backend (the
 * composed kernels) and on the native backend (the addon's) where it is built: y, the statistics,
 * and the gradients of x, gamma and beta, including gradients that reach the statistics.
 * Agreement: max |fused - composed| / max |composed| < 1e-4 per output, no tensor growth.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../test/support/leak-check.ts';
import { loadNativeAddon } from '../backend/native/addon.ts';
import { NATIVE } from '../backend/native/kernels.ts';
import { registerNativeBackend } from '../backend/native/register.ts';
import { GroupNorm } from './group-norm.ts';
import { groupNormFused } from './group-norm-kernel.ts';

const EPS = 1e-5;
const load = loadNativeAddon();
if (load.ok) registerNativeBackend(load.addon);
const BACKENDS = load.ok ? ['cpu', NATIVE] : ['cpu'];

/** max |got - want| / max(max |want|, floor). */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>, floor = 0): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

/** GroupNorm from tensor ops: y and the [N, G] mean and rstd, differentiated by autodiff. */
function composed(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number): tf.Tensor[] {
  const n = x.shape[0];
  const c = x.shape[x.rank - 1];
  const xg = tf.reshape(x, [n, x.size / (n * c), groups, c / groups]);
  const { mean, variance } = tf.moments(xg, [1, 3], true);
  const rstd = tf.rsqrt(tf.add(variance, EPS));
  const y = tf.add(tf.mul(tf.reshape(tf.mul(tf.sub(xg, mean), rstd), x.shape), gamma), beta);
  return [y, tf.reshape(mean, [n, groups]), tf.reshape(rstd, [n, groups])];
}

function fused(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number): tf.Tensor[] {
  const { y, mean, rstd } = groupNormFused(x, gamma, beta, groups, EPS);
  return [y, mean, rstd];
}

type Impl = typeof composed;

/** The outputs and d(loss)/d(x, gamma, beta), loss weighing y and (when `stats`) mean and rstd. */
function run(impl: Impl, x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, w: tf.Tensor[], stats: boolean): Float32Array[] {
  const outs = tf.tidy(() => {
    const forward = impl(x, gamma, beta, groups);
    const grads = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const [y, mean, rstd] = impl(xi, gi as tf.Tensor1D, bi as tf.Tensor1D, groups);
      let loss = tf.sum(tf.mul(y, w[0]));
      if (stats) loss = tf.add(loss, tf.add(tf.sum(tf.mul(mean, w[1])), tf.sum(tf.mul(rstd, w[2]))));
      return loss as tf.Scalar;
    })([x, gamma, beta]);
    return [...forward, ...grads];
  });
  const read = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return read;
}

const CASES: { shape: number[]; groups: number }[] = [
  { shape: [3, 5, 4, 7], groups: 1 },
  { shape: [3, 5, 4, 7], groups: 7 },
  { shape: [2, 6, 3, 10], groups: 2 },
  { shape: [2, 3, 3, 9], groups: 3 },
  { shape: [70, 9, 9, 16], groups: 4 },
  { shape: [5, 9], groups: 1 },
  { shape: [5, 9], groups: 9 },
  { shape: [6, 10], groups: 2 },
];

describe.each(BACKENDS)('fused GroupNorm kernels on %s', (backend) => {
  useLeakCheck();

  it.each(CASES)('match composed GroupNorm and its autodiff gradients for $shape, $groups groups', async ({ shape, groups }) => {
    await tf.setBackend(backend);
    const c = shape[shape.length - 1];
    const n = shape[0];
    const onePerGroup = (c / groups) * shape.slice(1, -1).reduce((a, b) => a * b, 1) === 1;
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape), 3), 5));
    const gamma = tf.randomUniform([c], 0.5, 1.5) as tf.Tensor1D;
    const beta = tf.randomNormal([c]) as tf.Tensor1D;
    const w = [tf.randomNormal(shape), tf.randomNormal([n, groups]), tf.randomNormal([n, groups])];
    try {
      for (const stats of [false, true]) {
        const want = run(composed, x, gamma, beta, groups, w, stats);
        const got = run(fused, x, gamma, beta, groups, w, stats);
        const names = ['y', 'mean', 'rstd', 'dx', 'dgamma', 'dbeta'];
        want.forEach((wv, i) => {
          expect(got[i].length, names[i]).toBe(wv.length);
          // One value per group (groups = C on dense features): the exact dx is 0, and what both
          // implementations compute is rounding noise of x - mean (up to ulp(|x|) ~ 1e-6 here)
          // amplified by rstd = 1/sqrt(eps) ~ 316, so on the order of 1e-4 either way. dx is
          // compared on the scale of 1/sqrt(eps) (an absolute error below 0.03): a wrong formula
          // gives dx of the size of gamma * dy (~1) and still fails.
          const floor = onePerGroup && names[i] === 'dx' ? 1 / Math.sqrt(EPS) : 0;
          expect(relativeError(got[i], wv, floor), `${names[i]} (statistics in loss: ${stats})`).toBeLessThan(1e-4);
        });
      }
    } finally {
      tf.dispose([x, gamma, beta, ...w]);
    }
  });

  it('a GroupNorm layer gives the same output in training and inference', async () => {
    await tf.setBackend(backend);
    const layer = new GroupNorm({ groups: 2 });
    layer.apply(tf.input({ shape: [4, 4, 6] }));
    const x = tf.randomNormal([3, 4, 4, 6]);
    const a = layer.apply(x, { training: true }) as tf.Tensor;
    const b = layer.apply(x, { training: false }) as tf.Tensor;
    expect(relativeError(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([x, a, b]);
    layer.dispose();
  });
});

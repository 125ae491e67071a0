/**
 * Every native kernel against tfjs's cpu backend on fresh random inputs (odd sizes, stride 1
 * and 2, same and valid padding, negative inputs for pooling, broadcasts), forward and through
 * tf.grads. Agreement: max |native - cpu| / max |cpu| < 1e-4 per output. The seed is new each
 * run and printed in every failure message.
 *
 * Skipped where the addon is not built (needs g++ libdnnl-dev libopenblas-dev); with
 * BATCHLAB_REQUIRE_SYSTEM=1 its absence fails the suite instead.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../test/support/leak-check.ts';
import { batchNormTrain } from '../../models/batch-norm-train.ts';
import { groupNormFused } from '../../models/group-norm-kernel.ts';
import { registerBatchNormKernels } from '../batch-norm-kernels.ts';
import { loadNativeAddon, NATIVE_PACKAGES } from './addon.ts';
import { blockSwap, broadcastStrides, contiguousReduction, NATIVE, setOutputPoison } from './kernels.ts';
import { BINARY_OPS, GEMM_LIBRARIES, UNARY_OPS } from './op-codes.ts';
import { registerNativeBackend } from './register.ts';
import { requireSystem } from '../../../test/support/require-system.ts';
import { relError } from '../../../test/support/rel-error.ts';
import { mulberry32 } from '../../core/prng.ts';

const load = loadNativeAddon();
const skipNative = requireSystem(NATIVE_PACKAGES, load.ok);
const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;
const TOLERANCE = 1e-4;

const random = mulberry32(SEED);

/** Normal(mean, 1) values (Box-Muller). */
function normal(n: number, mean = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return out;
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

type Inputs = Record<string, { shape: number[]; data: Float32Array | Int32Array }>;

function randomInputs(shapes: Record<string, number[]>, mean = 0): Inputs {
  return Object.fromEntries(Object.entries(shapes).map(([k, shape]) => [k, { shape, data: normal(numel(shape), mean) }]));
}

/** Runs f on fresh tensors of `inputs` on one backend; returns every output's values and shape. */
async function evaluate(backend: string, inputs: Inputs, f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[]) {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => {
    const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape, v.data instanceof Int32Array ? 'int32' : 'float32')]));
    const r = f(ts);
    return Array.isArray(r) ? r : [r];
  });
  const read = outs.map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync()) }));
  tf.dispose(outs);
  expect(tf.memory().numTensors, `${backend} leaked tensors`).toBe(before);
  return read;
}


/** Asserts that native and cpu agree on every output of f. */
async function agree(label: string, inputs: Inputs, f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[]): Promise<void> {
  const want = await evaluate('cpu', inputs, f);
  const got = await evaluate(NATIVE, inputs, f);
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const where = `${label} output ${i} (seed ${SEED})`;
    expect(got[i].shape, where).toEqual(w.shape);
    expect(relError(got[i].values, w.values), where).toBeLessThan(TOLERANCE);
  });
}

/** f's value and its gradients with respect to every input (weighted by a fixed random tensor). */
function withGrads(f: (t: Record<string, tf.Tensor>) => tf.Tensor, weight: Float32Array) {
  return (t: Record<string, tf.Tensor>) => {
    const names = Object.keys(t);
    const g = tf.grads((...xs: tf.Tensor[]) => {
      const y = f(Object.fromEntries(names.map((n, i) => [n, xs[i]])));
      return tf.sum(tf.mul(y, tf.tensor(weight.subarray(0, y.size), y.shape)));
    });
    return [f(t), ...g(names.map((n) => t[n]))];
  };
}

describe('pure helpers', () => {
  it.each([
    // shape, out, strides
    [[6], [4, 5, 6], [0, 0, 1]],
    [[4, 1, 6], [4, 5, 6], [6, 0, 1]],
    [[5, 1], [4, 5, 6], [0, 1, 0]],
    [[1], [3, 2], [0, 0]],
  ])('broadcastStrides(%j, %j) = %j', (shape, out, strides) => {
    expect(broadcastStrides(shape, out)).toEqual(strides);
  });

  it.each([
    [[2, 3, 4], [0], [1, 2, 12]],
    [[2, 3, 4], [1, 2], [2, 12, 1]],
    [[2, 3, 4, 5], [1, 2], [2, 12, 5]],
    [[2, 3, 4], [0, 2], null],
  ])('contiguousReduction(%j, %j) = %j', (shape, axes, want) => {
    expect(contiguousReduction(shape, axes)).toEqual(want);
  });

  it.each([
    [[2, 3], [1, 0], [1, 2, 3, 1]],
    [[2, 3, 4], [0, 2, 1], [2, 3, 4, 1]],
    [[2, 3, 4], [2, 0, 1], [1, 6, 4, 1]],
    [[2, 3, 4, 5], [1, 2, 0, 3], [1, 2, 12, 5]],
    [[2, 3, 4, 5], [3, 1, 2, 0], null],
    [[2, 3], [0, 1], null],
  ])('blockSwap(%j, %j) = %j', (shape, perm, want) => {
    expect(blockSwap(shape, perm)).toEqual(want);
  });
});

describe.skipIf(skipNative)('native kernels match the cpu backend', () => {
  beforeAll(async () => {
    if (!load.ok) return;
    registerNativeBackend(load.addon);
    registerBatchNormKernels('cpu');
    // Outputs are not zeroed on native: NaN in every element a kernel might leave unwritten.
    setOutputPoison(true);
    return () => setOutputPoison(false);
  });
  useLeakCheck();

  it.each([
    [7, 13, 5],
    [33, 17, 9],
    [1, 64, 3],
  ])('matMul %i x %i x %i, all transposes, with gradients', async (m, k, n) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const inputs = randomInputs({ a: ta ? [k, m] : [m, k], b: tb ? [n, k] : [k, n] });
      await agree(`matMul ${ta} ${tb}`, inputs, withGrads((t) => tf.matMul(t.a, t.b, ta, tb), normal(m * n)));
    }
  });

  it('batched and broadcast batch matMul', async () => {
    await agree('batch', randomInputs({ a: [3, 5, 7], b: [3, 7, 4] }), withGrads((t) => tf.matMul(t.a, t.b), normal(60)));
    await agree('broadcast batch', randomInputs({ a: [1, 5, 7], b: [3, 7, 4] }), (t) => tf.matMul(t.a, t.b));
    await agree('rank 4', randomInputs({ a: [2, 3, 4, 5], b: [2, 3, 6, 5] }), (t) => tf.matMul(t.a, t.b, false, true));
  });

  it('fused matMul with bias and ReLU, with gradients', async () => {
    for (const activation of ['linear', 'relu'] as const) {
      const inputs = randomInputs({ a: [9, 11], b: [11, 6], bias: [6] });
      await agree(`fused ${activation}`, inputs, withGrads((t) => tf.fused.matMul({ a: t.a, b: t.b, bias: t.bias, activation }), normal(54)));
    }
  });

  const CONVS: { x: number[]; f: number[]; stride: number; pad: 'same' | 'valid'; dilation?: number }[] = [
    { x: [2, 9, 7, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
    { x: [3, 11, 8, 5], f: [3, 2, 5, 6], stride: 2, pad: 'valid' },
    { x: [2, 10, 9, 1], f: [5, 5, 1, 3], stride: 2, pad: 'same' },
    { x: [1, 6, 6, 2], f: [1, 1, 2, 3], stride: 1, pad: 'valid' },
    { x: [2, 7, 9, 16], f: [3, 3, 16, 8], stride: 2, pad: 'same' },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 2], stride: 1, pad: 'same', dilation: 2 },
  ];

  it.each(CONVS)('conv2d %j forward and both gradients', async ({ x, f, stride, pad, dilation }) => {
    const inputs = randomInputs({ x, f });
    const conv = (t: Record<string, tf.Tensor>) => tf.conv2d(t.x as tf.Tensor4D, t.f as tf.Tensor4D, stride, pad, 'NHWC', dilation ?? 1);
    await agree('conv2d', inputs, dilation ? conv : withGrads(conv, normal(numel(x) * 4)));
  });

  it('fused conv2d with bias and ReLU, with gradients', async () => {
    const inputs = randomInputs({ x: [2, 9, 7, 3], f: [3, 3, 3, 5], bias: [5] });
    await agree('fused conv', inputs, withGrads(
      (t) => tf.fused.conv2d({ x: t.x as tf.Tensor4D, filter: t.f as tf.Tensor4D, strides: 2, pad: 'same', bias: t.bias, activation: 'relu' }),
      normal(2 * 5 * 4 * 5),
    ));
  });

  it.each([
    { x: [2, 9, 7, 3], size: 2, stride: 2, pad: 'valid' as const },
    { x: [2, 9, 7, 3], size: 3, stride: 2, pad: 'same' as const },
    { x: [1, 8, 8, 5], size: 3, stride: 1, pad: 'same' as const },
    { x: [3, 5, 6, 17], size: 2, stride: 1, pad: 'valid' as const },
  ])('maxPool %j on negative inputs, forward and gradient', async ({ x, size, stride, pad }) => {
    // N(-3, 1): every window is all-negative, where a max starting at 0 or FLT_MIN goes wrong.
    const inputs = randomInputs({ x }, -3);
    await agree('maxPool', inputs, withGrads((t) => tf.maxPool(t.x as tf.Tensor4D, size, stride, pad), normal(numel(x))));
  });

  it('maxPool gradient goes to the first of tied maxima, as on cpu', async () => {
    const inputs: Inputs = { x: { shape: [1, 4, 4, 2], data: new Float32Array(32).fill(-1) } };
    await agree('ties', inputs, withGrads((t) => tf.maxPool(t.x as tf.Tensor4D, 2, 2, 'valid'), normal(8)));
  });

  it.each([
    [[4, 5, 6], [6]],
    [[4, 5, 6], [4, 5, 6]],
    [[4, 1, 6], [5, 1]],
    [[3, 7], []],
    [[], [2, 3]],
    [[2, 1, 1, 3], [2, 4, 5, 3]],
  ])('binary ops, shapes %j and %j, with gradients', async (sa, sb) => {
    const inputs = randomInputs({ a: sa, b: sb });
    inputs.b!.data = (inputs.b!.data as Float32Array).map((v) => v + Math.sign(v) * 0.5); // keep Div away from 0
    const out = numel(tf.backend_util.assertAndGetBroadcastShape(sa, sb));
    for (const [name, op] of [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div]] as const) {
      await agree(name, inputs, withGrads((t) => op(t.a, t.b), normal(out)));
    }
    // tfjs's own Maximum/Minimum/SquaredDifference gradients reject broadcasts (on every
    // backend): forward only.
    await agree('maximum minimum squaredDifference', inputs, (t) => [tf.maximum(t.a, t.b), tf.minimum(t.a, t.b), tf.squaredDifference(t.a, t.b)]);
  });

  it('unary ops and ReLU gradient', async () => {
    const inputs = randomInputs({ x: [5, 7, 3] });
    const pos = { x: { shape: [5, 7, 3], data: (inputs.x!.data as Float32Array).map((v) => Math.abs(v) + 0.1) } };
    await agree('relu', inputs, withGrads((t) => tf.relu(t.x), normal(105)));
    await agree('relu6', { x: { shape: [105], data: normal(105).map((v) => v * 5) } }, (t) => tf.relu6(t.x));
    await agree('step', inputs, (t) => [tf.step(t.x), tf.step(t.x, 0.3)]);
    await agree('neg square exp abs', inputs, (t) => [tf.neg(t.x), tf.square(t.x), tf.exp(t.x), tf.abs(t.x)]);
    await agree('log sqrt rsqrt', pos, (t) => [tf.log(t.x), tf.sqrt(t.x), tf.rsqrt(t.x)]);
  });

  it.each([[[0]], [[1, 2]], [[-1]], [[0, 1, 2]], [[0, 2]], [[2]]])('sum, mean, max over axes %j', async (axes) => {
    const inputs = randomInputs({ x: [6, 5, 7] });
    for (const keep of [false, true]) {
      await agree(`reduce ${keep}`, inputs, (t) => [tf.sum(t.x, axes, keep), tf.mean(t.x, axes, keep), tf.max(t.x, axes, keep)]);
    }
    await agree('mean gradient', inputs, withGrads((t) => tf.mean(t.x, axes), normal(210)));
  });

  it.each([[[1, 0]], [[0, 2, 1]], [[2, 0, 1]], [[1, 2, 0]], [[3, 1, 2, 0]]])('transpose %j', async (perm) => {
    const shape = perm.length === 2 ? [37, 45] : perm.length === 3 ? [3, 5, 7] : [2, 3, 4, 5];
    await agree('transpose', randomInputs({ x: shape }), (t) => tf.transpose(t.x, perm));
  });

  it('gather along axis 0, float32 and int32', async () => {
    const idx = Int32Array.from({ length: 13 }, () => Math.floor(random() * 9));
    const inputs: Inputs = { x: { shape: [9, 4, 3], data: normal(108) }, i: { shape: [13], data: idx } };
    await agree('gather', inputs, (t) => [tf.gather(t.x, t.i), tf.cast(tf.gather(tf.cast(t.x, 'int32'), t.i), 'float32')]);
  });

  it.each([
    [50, [7, 113], 37], // rows of 3 KB: the copies prefetch rows 4 indices ahead
    [6, [4201], 11], // rows over 16 KB: no prefetch
  ])('gather of %i rows of %j, %i indices', async (rows, row, count) => {
    const idx = Int32Array.from({ length: count }, () => Math.floor(random() * rows));
    const shape = [rows, ...row];
    await agree('gather rows', { x: { shape, data: normal(numel(shape)) }, i: { shape: [count], data: idx } }, (t) => tf.gather(t.x, t.i));
  });

  it.each([[[64, 16]], [[4, 7, 5, 6]], [[3, 3, 3, 19]]])('batch-norm training kernel pair on %j', async (shape) => {
    const c = shape[shape.length - 1];
    const inputs = randomInputs({ x: shape, gamma: [c], beta: [c] });
    inputs.x!.data = (inputs.x!.data as Float32Array).map((v) => 3 * v + 5);
    await agree('batch norm', inputs, withGrads((t) => {
      const { y, mean, variance } = batchNormTrain(t.x, t.gamma as tf.Tensor1D, t.beta as tf.Tensor1D, 1e-3);
      // Gradients also reach the statistics outputs (dmean, dvariance).
      return tf.add(y, tf.sum(tf.add(mean, variance)));
    }, normal(numel(shape))));
  });

  it.each([[[64, 16]], [[4, 7, 5, 6]], [[300, 3, 3, 19]]])('inference batch norm (FusedBatchNorm) on %j: bit-identical to cpu', async (shape) => {
    const c = shape[shape.length - 1];
    const inputs = randomInputs({ x: shape, mean: [c], variance: [c], scale: [c], offset: [c] });
    inputs.x!.data = (inputs.x!.data as Float32Array).map((v) => 3 * v + 5);
    inputs.variance!.data = (inputs.variance!.data as Float32Array).map((v) => v * v + 0.01);
    const f = (t: Record<string, tf.Tensor>) => tf.batchNorm(t.x, t.mean, t.variance, t.offset, t.scale, 1e-3);
    const want = await evaluate('cpu', inputs, f);
    const got = await evaluate(NATIVE, inputs, f);
    expect(got[0].shape).toEqual(want[0].shape);
    // The cpu kernel's float64 arithmetic, so not merely close: equal, element for element.
    expect(Buffer.from(got[0].values.buffer).equals(Buffer.from(want[0].values.buffer)), `seed ${SEED}`).toBe(true);
    // Statistics that broadcast (one value for every channel) take the cpu kernel's path and agree too.
    const one = (v: number) => ({ shape: [1], data: Float32Array.of(v) });
    await agree('broadcast statistics', { x: inputs.x!, mean: one(0.5), variance: one(2), scale: one(1.5), offset: one(-1) }, f);
  });

  it.each([
    { shape: [5, 7, 3, 7], groups: 1 },
    { shape: [3, 6, 5, 10], groups: 2 },
    { shape: [4, 3, 3, 9], groups: 9 },
    { shape: [6, 15], groups: 3 },
  ])('group-norm kernel pair on $shape, $groups groups', async ({ shape, groups }) => {
    const c = shape[shape.length - 1];
    const inputs = randomInputs({ x: shape, gamma: [c], beta: [c] });
    inputs.x!.data = (inputs.x!.data as Float32Array).map((v) => 3 * v + 5);
    await agree('group norm', inputs, withGrads((t) => {
      const { y, mean, rstd } = groupNormFused(t.x, t.gamma as tf.Tensor1D, t.beta as tf.Tensor1D, groups, 1e-5);
      // Gradients also reach the statistics outputs (dmean, drstd).
      return tf.add(y, tf.sum(tf.add(mean, rstd)));
    }, normal(numel(shape))));
  });

  it('a native error becomes a JavaScript Error naming the op, and Node goes on', () => {
    if (!load.ok) throw new Error('unreachable');
    const { addon } = load;
    expect(() => addon.gemm(new Float32Array(3), new Float32Array(4), new Float32Array(4), 1, 2, 2, 2, 0, 0, null, 0, GEMM_LIBRARIES.onednn)).toThrow(/BatchMatMul: a has the wrong size/);
    expect(() => addon.selfTestThrow()).toThrow(/selfTestThrow: oneDNN error/);
    expect(() => addon.conv2dForward(new Float32Array(1), new Float32Array(1), new Float32Array(1))).toThrow(/Conv2D: expected 20 arguments/);
    expect(() => addon.binary(new Float32Array(4), new Float32Array(3), new Float32Array(4), BINARY_OPS.Add!, null, null, null)).toThrow(/Binary/);
    expect(() => addon.unary(new Float64Array(2) as unknown as Float32Array, new Float32Array(2), UNARY_OPS.Relu!, 0)).toThrow(/Float32Array/);
    // Still alive and computing.
    const c = new Float32Array(1);
    addon.gemm(new Float32Array([2]), new Float32Array([3]), c, 1, 1, 1, 1, 0, 0, null, 0, GEMM_LIBRARIES.onednn);
    expect(c[0]).toBe(6);
  });

  it('OpenBLAS and oneDNN sgemm agree', () => {
    if (!load.ok) throw new Error('unreachable');
    const [m, n, k] = [37, 29, 53];
    const a = normal(m * k);
    const b = normal(k * n);
    const c0 = new Float32Array(m * n);
    const c1 = new Float32Array(m * n);
    load.addon.gemm(a, b, c0, 1, m, n, k, 0, 0, null, 0, GEMM_LIBRARIES.onednn);
    load.addon.gemm(a, b, c1, 1, m, n, k, 0, 0, null, 0, GEMM_LIBRARIES.openblas);
    expect(relError(c0, c1)).toBeLessThan(TOLERANCE);
  });
});

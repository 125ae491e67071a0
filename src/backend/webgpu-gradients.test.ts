/**
 * Training gradients on the webgpu backend (Dawn on Vulkan: a GPU, or Mesa's lavapipe on a
 * CPU-only machine) against the cpu backend, op by op and over a few SGD steps of a small CNN.
 * Each op's forward output and its gradients for a random cotangent dy must agree to TOLERANCE,
 * as max |webgpu - cpu| / max |cpu| per output.
 *
 * Without a Vulkan adapter the suite is skipped; with BATCHLAB_REQUIRE_SYSTEM=1 it fails instead.
 * Values are read with `await t.data()`: dataSync() on webgpu tensors throws in Node.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { probeWebgpuForTests, useWebgpuSuite } from '../../test/support/webgpu-suite.ts';
import { validateSpec } from '../config/validate.ts';
import { buildModel, type ModelConfig } from '../models/index.ts';
import { randn, relError, type Input } from '../../test/support/wasm-vs-cpu.ts';

const TOLERANCE = 1e-4;

const { probe, skipWebgpu } = await probeWebgpuForTests();

type Backend = 'cpu' | 'webgpu';

async function readAll(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
}

function normal(shape: number[], mean = 0, std = 1): Input {
  return { shape, data: randn(shape.reduce((a, b) => a * b, 1), mean, std) };
}

function indices(shape: number[], below: number): Input {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Int32Array.from({ length: size }, () => Math.floor(Math.random() * below)), dtype: 'int32' };
}

/** One op under test: `f` maps the inputs to one output; float inputs are differentiated. */
interface OpCase {
  name: string;
  inputs: Input[];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
}

/**
 * On `backend`: f's output and d(sum(f * dy))/d(each float input), read back to the host.
 * Every tensor it makes is disposed.
 */
async function forwardAndGrads(backend: Backend, c: OpCase, dy: Input): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const xs = c.inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype ?? 'float32'));
  const dyT = tf.tensor(dy.data, dy.shape);
  const wrt = xs.flatMap((x, k) => (x.dtype === 'float32' ? [k] : []));
  const outs = tf.tidy(() => {
    const loss = (...vs: tf.Tensor[]) => {
      const all = xs.slice();
      wrt.forEach((k, j) => (all[k] = vs[j]!));
      return tf.sum(tf.mul(c.f(...all), dyT));
    };
    return [c.f(...xs), ...tf.grads(loss)(wrt.map((k) => xs[k]!))];
  });
  const values = await readAll(outs);
  tf.dispose([...xs, dyT, ...outs]);
  return values;
}

/** Worst relative error of webgpu against cpu over the forward output and every gradient. */
async function compareOp(c: OpCase): Promise<number> {
  await tf.setBackend('cpu');
  const outShape = tf.tidy(() => c.f(...c.inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype ?? 'float32'))).shape.slice());
  const dy = normal(outShape);
  const ref = await forwardAndGrads('cpu', c, dy);
  const got = await forwardAndGrads('webgpu', c, dy);
  expect(got.map((g) => g.length)).toEqual(ref.map((r) => r.length));
  return Math.max(...ref.map((r, i) => relError(got[i]!, r)));
}

type Shape4 = [number, number, number, number];
const as4 = (t: tf.Tensor) => t as tf.Tensor4D;

// Dense backward runs a^T b and a b^T; with aT bT, all four transpose variants are covered.
// Each distinct matmul shader takes lavapipe 1.5-3 s to compile, so shapes are shared across
// cases (tfjs keys matMul shaders by transposes and by whether tiles fit the dims; 6, 9, 5 fit none).
const MATMUL: OpCase[] = [
  { name: 'dense x W + b (x [6,9], W [9,5])', inputs: [normal([6, 9]), normal([9, 5]), normal([5])], f: (x, w, b) => tf.add(tf.matMul(x!, w!), b!) },
  { name: 'aT bT', inputs: [normal([9, 6]), normal([5, 9])], f: (a, b) => tf.matMul(a!, b!, true, true) },
];

function conv(stride: number, pad: 'same' | 'valid', x: Shape4, w: Shape4): OpCase {
  return { name: `${w[0]}x${w[1]} stride ${stride} ${pad} on ${x.join('x')}`, inputs: [normal(x), normal(w)], f: (a, b) => tf.conv2d(as4(a!), as4(b!), stride, pad) };
}

const CONV: OpCase[] = [
  conv(1, 'same', [2, 9, 9, 3], [3, 3, 3, 4]),
  conv(2, 'same', [2, 9, 9, 3], [3, 3, 3, 4]),
  conv(1, 'valid', [2, 9, 9, 3], [3, 3, 3, 4]),
  conv(2, 'valid', [2, 10, 10, 3], [3, 3, 3, 4]),
  conv(2, 'same', [3, 8, 8, 2], [5, 5, 2, 3]),
];

function depthwise(stride: number, pad: 'same' | 'valid', x: Shape4, w: Shape4): OpCase {
  return {
    name: `${w[0]}x${w[1]} multiplier ${w[3]} stride ${stride} ${pad}`,
    inputs: [normal(x), normal(w)],
    f: (a, b) => tf.depthwiseConv2d(as4(a!), as4(b!), stride, pad),
  };
}

const DEPTHWISE: OpCase[] = [depthwise(1, 'same', [2, 8, 8, 3], [3, 3, 3, 1]), depthwise(2, 'valid', [2, 9, 9, 3], [3, 3, 3, 2])];

// Inputs near -3 make whole windows negative: a running max that starts at 0 (or +FLT_MIN)
// would drop their gradients.
const POOL: OpCase[] = [
  { name: 'maxPool 2x2 stride 2, all negative', inputs: [normal([2, 8, 8, 3], -3)], f: (x) => tf.maxPool(as4(x!), 2, 2, 'valid') },
  { name: 'maxPool 3x3 stride 1 same (overlapping), all negative', inputs: [normal([2, 7, 7, 2], -3)], f: (x) => tf.maxPool(as4(x!), 3, 1, 'same') },
  { name: 'maxPool 2x2 stride 2 on N(0,1)', inputs: [normal([2, 8, 8, 3])], f: (x) => tf.maxPool(as4(x!), 2, 2, 'valid') },
  { name: 'avgPool 2x2 stride 2 valid', inputs: [normal([2, 8, 8, 3])], f: (x) => tf.avgPool(as4(x!), 2, 2, 'valid') },
  { name: 'avgPool 3x3 stride 2 same', inputs: [normal([2, 9, 9, 3])], f: (x) => tf.avgPool(as4(x!), 3, 2, 'same') },
];

const GATHER_LOSS: OpCase[] = [
  // Repeated indices: the gradient must sum over repeats (UnsortedSegmentSum).
  { name: 'gather rows (axis 0) with repeats', inputs: [normal([10, 4]), indices([24], 10)], f: (p, i) => tf.gather(p!, i!, 0) },
  { name: 'gather columns (axis 1)', inputs: [normal([5, 7, 3]), indices([9], 7)], f: (p, i) => tf.gather(p!, i!, 1) },
  {
    name: 'softmax cross-entropy (mean over the batch)',
    inputs: [normal([12, 10], 0, 4), indices([12], 10)],
    f: (logits, labels) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels!, 10), logits!),
  },
];

/** Weights of a BatchNormalization layer: gamma, beta, moving mean, moving variance. */
interface BnCase {
  x: Input;
  dy: Input;
  weights: Input[];
}

/**
 * A tfjs-layers BatchNormalization in training mode on `backend`: output, dL/dx, dL/dgamma,
 * dL/dbeta, and the moving statistics after the call (training mode updates them).
 */
async function batchNormOn(backend: Backend, c: BnCase): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  // Inside a model so the layer is built and can be disposed as a whole.
  const model = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: c.x.shape.slice(1), momentum: 0.9, epsilon: 1e-5 })] });
  const layer = model.layers[0]!;
  const x = tf.tidy(() => tf.variable(tf.tensor(c.x.data, c.x.shape)));
  const dy = tf.tensor(c.dy.data, c.dy.shape);
  const init = c.weights.map((w) => tf.tensor(w.data, w.shape));
  layer.setWeights(init);
  tf.dispose(init);
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  let output: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    output = tf.keep(y);
    return tf.sum(tf.mul(y, dy)) as tf.Scalar;
  }, [x, gamma!, beta!]);
  const moving = layer.nonTrainableWeights.map((w) => w.read());
  const values = await readAll([output!, grads[x.name]!, grads[gamma!.name]!, grads[beta!.name]!, ...moving]);
  tf.dispose([value, output!, x, dy, ...Object.values(grads)]);
  model.dispose();
  return values;
}

/** Model settings as a spec gives them: every field the cnn factory reads, with its defaults. */
function cnnConfig(): ModelConfig {
  const v = validateSpec({ model: { name: 'cnn', channels: [4, 8], norm: 'batch', dropout: 0 }, train: { steps: 3 } });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec.model;
}

interface Trace {
  grads: Float32Array[][];
  losses: number[];
  /** Every weight after the last step, BatchNorm's moving statistics included. */
  weights: Float32Array[];
}

/** `steps` plain SGD steps of the cnn built with `init` weights on one fixed batch. */
async function trainCnnOn(backend: Backend, init: Input[], xs: Input, labels: Input, steps: number, classes: number): Promise<Trace> {
  await tf.setBackend(backend);
  const model = buildModel(cnnConfig(), xs.shape.slice(1), classes, 5);
  const start = init.map((w) => tf.tensor(w.data, w.shape));
  model.setWeights(start);
  tf.dispose(start);
  const x = tf.tensor(xs.data, xs.shape);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels.data, 'int32'), classes));
  const opt = tf.train.sgd(0.1);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const trace: Trace = { grads: [], losses: [], weights: [] };
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      vars,
    );
    trace.grads.push(await readAll(vars.map((v) => grads[v.name]!)));
    trace.losses.push((await value.data())[0]!);
    opt.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
  }
  trace.weights = await readAll(model.getWeights());
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return trace;
}

describe.skipIf(skipWebgpu)(`webgpu training gradients match cpu on ${probe.usable ? probe.device : 'no device'}`, () => {
  useWebgpuSuite();

  describe.each([
    ['matMul', MATMUL],
    ['conv2d', CONV],
    ['depthwiseConv2d', DEPTHWISE],
    ['pooling', POOL],
    ['gather and loss', GATHER_LOSS],
  ] as const)('%s', (_, cases) => {
    it.each(cases)('$name', async (c) => {
      expect(await compareOp(c)).toBeLessThan(TOLERANCE);
    });
  });

  it('batchNormalization (tfjs-layers, training mode): output, dx, dgamma, dbeta, moving statistics', async () => {
    const shape = [6, 5, 5, 4];
    const c: BnCase = {
      x: normal(shape, 2, 3),
      dy: normal(shape),
      weights: [normal([4], 1, 0.3), normal([4]), normal([4]), { shape: [4], data: randn(4).map((v) => 1 + v * v) }],
    };
    const ref = await batchNormOn('cpu', c);
    const got = await batchNormOn('webgpu', c);
    expect(got).toHaveLength(6);
    ref.forEach((r, i) => expect(relError(got[i]!, r), `output ${i}`).toBeLessThan(TOLERANCE));
  });

  it('a cnn with batch norm takes the same 3 SGD steps (gradients, losses, final weights)', async () => {
    const classes = 4;
    const xs = normal([8, 16, 16, 1]);
    const labels: Input = { shape: [8], data: Int32Array.from({ length: 8 }, (_, i) => i % classes), dtype: 'int32' };
    await tf.setBackend('cpu');
    const fresh = buildModel(cnnConfig(), [16, 16, 1], classes, 5);
    const init = (await readAll(fresh.getWeights())).map((data, i) => ({ shape: fresh.getWeights()[i]!.shape, data }));
    fresh.dispose();

    const cpu = await trainCnnOn('cpu', init, xs, labels, 3, classes);
    const gpu = await trainCnnOn('webgpu', init, xs, labels, 3, classes);
    expect(gpu.grads).toHaveLength(3);
    for (let s = 0; s < 3; s++) {
      cpu.grads[s]!.forEach((r, i) => expect(relError(gpu.grads[s]![i]!, r), `step ${s} gradient ${i}`).toBeLessThan(TOLERANCE));
      expect(Math.abs(gpu.losses[s]! - cpu.losses[s]!) / cpu.losses[s]!).toBeLessThan(TOLERANCE);
    }
    // The loss must move, or equal gradients would prove little.
    expect(cpu.losses[2]).toBeLessThan(cpu.losses[0]!);
    cpu.weights.forEach((r, i) => expect(relError(gpu.weights[i]!, r), `weight ${i}`).toBeLessThan(TOLERANCE));
  });
});

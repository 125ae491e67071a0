/**
 * The direct dense step: one training step of batchlab's MLP (InputDense -> ReLU -> [Dense ->
 * ReLU]* -> Dense logits, every layer with a bias, no norm, no dropout) with softmax
 * cross-entropy on the native backend, made of direct calls to the native addon instead of tfjs
 * ops on a gradient tape. At small batches tfjs's bookkeeping per op (the tape, scopes, tensor
 * records, a fresh array per output) costs more than the arithmetic.
 *
 * It calls the addon functions that tfjs's kernels call for that model on this backend, with the
 * same operands: the gather of the batch; per layer the product (InputDense: then the bias add as
 * a broadcast Add; Dense: bias in the product) and the ReLU; the cross-entropy kernel pair; then per
 * layer the kernel gradient (x^T dy), the bias gradient (Sum over the batch), the input gradient
 * (dy W^T) and ReLU's gradient (Step of its input, then Multiply), none of which depends on the
 * order of the others. So the loss and the gradients are the same bits as tfjs's, and the update
 * is the optimizer's own (optimizer.apply). Checked bit for bit against the tfjs path in
 * direct-dense-step.test.ts. Anything else runs the tfjs path (planDirectDenseStep returns null).
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../backend/native/addon.ts';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, XENT_REDUCTIONS } from '../backend/native/op-codes.ts';
import { nativeKernelsInUse } from '../backend/native/register.ts';
import type { RunConfig } from '../config/schema.ts';
import type { EpochSampler } from './batches.ts';
import { denseStackOf, hostArrayOf, type DenseLayer } from './dense-stack.ts';
import type { Optimizer } from './optimizers.ts';
import type { TrainData } from './types.ts';

/** One optimizer update over `batchSize` examples; returns the batch's summed loss (the caller owns it). */
export type DirectStep = (batchSize: number, lr: tf.Scalar) => tf.Scalar;

let enabled = true;

/** Tests and benchmarks: no direct steps or evaluations (false), to run the tfjs path for comparison. */
export function setDirectDenseSteps(on: boolean): void {
  enabled = on;
}

/** Whether direct steps and evaluations may run (setDirectDenseSteps). */
export function directStepsEnabled(): boolean {
  return enabled;
}

export interface DirectStepArgs {
  model: tf.LayersModel;
  data: TrainData;
  vars: readonly tf.Variable[];
  optimizer: Optimizer;
  sampler: EpochSampler;
  reduction: RunConfig['loss']['reduction'];
}

/** The direct step for this model, data and backend, or null where the tfjs path must run. */
export function planDirectDenseStep(args: DirectStepArgs): DirectStep | null {
  const use = nativeKernelsInUse();
  if (!enabled || use === null || args.data.task !== 'classification') return null;
  const { addon, gemmLibrary } = use;
  if (addon.softmaxXent === undefined || addon.softmaxXentGrad === undefined) return null;
  const layers = denseStackOf(args.model);
  const { trainX, trainY } = args.data;
  if (layers === null || trainY.rank !== 2 || layers.flatMap((l) => [l.kernel, l.bias]).some((v, i) => v !== args.vars[i])) return null;
  const n = trainX.shape[0];
  if (n === 0 || trainX.size / n !== layers[0]!.inputs || trainY.shape[1] !== layers.at(-1)!.units) return null;
  if (hostArrayOf(trainX) === null || hostArrayOf(trainY) === null) return null;
  const kit: Kit = { addon, gemmLibrary, layers, reduction: XENT_REDUCTIONS[args.reduction], values: (t) => hostArrayOf(t)! };
  const scratch = new Map<number, Scratch>();
  return (batchSize, lr) => {
    let s = scratch.get(batchSize);
    if (s === undefined) scratch.set(batchSize, (s = scratchFor(layers, batchSize)));
    const idx = args.sampler.nextOnHost(batchSize);
    addon.gatherRows(kit.values(trainX), idx, s.x, layers[0]!.inputs);
    addon.gatherRows(kit.values(trainY), idx, s.y, layers.at(-1)!.units);
    const loss = forwardBackward(kit, s, batchSize);
    const grads = layers.flatMap((l, i) => [tf.tensor(s.kernelGrads[i]!, l.kernel.shape, 'float32'), tf.tensor(s.biasGrads[i]!, l.bias.shape, 'float32')]);
    try {
      args.optimizer.apply(grads, lr);
    } finally {
      tf.dispose(grads);
    }
    // runStep's tf.mul(loss, batch size) for the mean, as one float32 product.
    return tf.scalar(args.reduction === 'mean' ? Math.fround(loss * batchSize) : loss);
  };
}

interface Kit {
  addon: NativeAddon;
  gemmLibrary: number;
  layers: DenseLayer[];
  reduction: number;
  values: (t: tf.Tensor) => Float32Array;
}

/** The arrays one batch size needs, reused step after step: per layer its pre-activation, output and gradients. */
interface Scratch {
  x: Float32Array;
  y: Float32Array;
  /** InputDense's product before its bias add. */
  product: Float32Array;
  pre: Float32Array[];
  out: Float32Array[];
  lossValue: Float32Array;
  lse: Float32Array;
  /** The gradient with respect to each layer's pre-activation output (for the last, the logits). */
  dPre: Float32Array[];
  dOut: Float32Array[];
  mask: Float32Array[];
  kernelGrads: Float32Array[];
  biasGrads: Float32Array[];
}

function scratchFor(layers: DenseLayer[], b: number): Scratch {
  const perLayer = () => layers.map((l) => new Float32Array(b * l.units));
  return {
    x: new Float32Array(b * layers[0]!.inputs), y: new Float32Array(b * layers.at(-1)!.units),
    product: new Float32Array(b * layers[0]!.units), pre: perLayer(), out: perLayer(),
    lossValue: new Float32Array(1), lse: new Float32Array(b), dPre: perLayer(), dOut: perLayer(), mask: perLayer(),
    kernelGrads: layers.map((l) => new Float32Array(l.inputs * l.units)), biasGrads: layers.map((l) => new Float32Array(l.units)),
  };
}

const ONE = new Float32Array([1]); // the gradient of the loss with respect to itself, as tfjs seeds it

/** Forward and backward over the gathered batch in `s`; leaves the gradients in s.kernelGrads / s.biasGrads and returns the loss. */
function forwardBackward(kit: Kit, s: Scratch, b: number): number {
  const { addon, gemmLibrary: lib, layers } = kit;
  const last = layers.length - 1;
  layers.forEach((l, i) => {
    const input = i === 0 ? s.x : s.out[i - 1]!;
    if (i === 0) {
      // InputDense in training: tf.matMul, then tf.add of the bias (a broadcast Add).
      addon.gemm(input, kit.values(l.kernel), s.product, 1, b, l.units, l.inputs, 0, 0, null, 0, lib);
      addon.binary(s.product, kit.values(l.bias), s.pre[0]!, BINARY_OPS['Add']!, [b, l.units], [l.units, 1], [0, 1]);
    } else {
      addon.gemm(input, kit.values(l.kernel), s.pre[i]!, 1, b, l.units, l.inputs, 0, 0, kit.values(l.bias), 0, lib);
    }
    if (i < last) addon.unary(s.pre[i]!, s.out[i]!, UNARY_OPS['Relu']!, 0);
  });
  const classes = layers[last]!.units;
  addon.softmaxXent!(s.pre[last]!, s.y, s.lossValue, s.lse, b, classes, kit.reduction);
  addon.softmaxXentGrad!(ONE, s.pre[last]!, s.y, s.lse, s.dPre[last]!, b, classes, kit.reduction);
  for (let i = last; i >= 0; i--) {
    const l = layers[i]!;
    const input = i === 0 ? s.x : s.out[i - 1]!;
    const dy = s.dPre[i]!;
    addon.gemm(input, dy, s.kernelGrads[i]!, 1, l.inputs, l.units, b, 1, 0, null, 0, lib);
    addon.reduce(dy, s.biasGrads[i]!, 1, b, l.units, REDUCE_OPS['Sum']!);
    if (i === 0) break; // the input needs no gradient
    addon.gemm(dy, kit.values(l.kernel), s.dOut[i - 1]!, 1, b, l.inputs, l.units, 0, 1, null, 0, lib);
    // ReLU's gradient: dy * Step(its input).
    addon.unary(s.pre[i - 1]!, s.mask[i - 1]!, UNARY_OPS['Step']!, 0);
    addon.binary(s.dOut[i - 1]!, s.mask[i - 1]!, s.dPre[i - 1]!, BINARY_OPS['Multiply']!, null, null, null);
  }
  return s.lossValue[0]!;
}

/**
 * Softmax cross-entropy and its gradient (BatchlabSoftmaxCrossEntropy / ...Grad,
 * src/train/softmax-cross-entropy.ts) in one native call each way, over [rows, classes] (the last
 * axis the classes). The addon repeats the float operations of the composition it replaces on
 * this backend (tf.losses.softmaxCrossEntropy, then tf.mean or tf.sum, on the native kernels), so
 * losses and gradients keep their bits (native/src/softmax_xent.cc).
 */
import type * as tf from '@tensorflow/tfjs';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD, type SoftmaxCrossEntropyAttrs } from '../../kernel-names.ts';
import { InternalError } from '../../../errors.ts';
import type { NativeAddon } from '../addon.ts';
import { XENT_REDUCTIONS } from '../op-codes.ts';
import { allFloat, cpuOf, output, size, unzeroed, values, type NamedKernels } from './support.ts';

/** rows x classes of `logits`, checked against `labels`. */
function geometry(name: string, logits: tf.TensorInfo | undefined, labels: tf.TensorInfo | undefined): [number, number] {
  if (!logits || !labels || !allFloat(logits, labels) || logits.shape.length < 1 || !logits.shape.every((d, i) => d === labels.shape[i]) || logits.shape.length !== labels.shape.length) {
    throw new InternalError(`${name}: float32 logits and labels of one shape required`);
  }
  const classes = logits.shape[logits.shape.length - 1]!;
  return [size(logits.shape) / classes, classes];
}

export function softmaxXentKernels(addon: NativeAddon): NamedKernels {
  const { softmaxXent, softmaxXentGrad } = addon;
  if (softmaxXent === undefined || softmaxXentGrad === undefined) return [];
  const forward: tf.KernelFunc = (args) => {
    const { logits, labels } = args.inputs;
    const { reduction } = args.attrs as unknown as SoftmaxCrossEntropyAttrs;
    const [rows, classes] = geometry(SOFTMAX_XENT, logits, labels);
    const backend = cpuOf(args);
    const rowShape = logits!.shape.slice(0, -1);
    const x = values(backend, logits!);
    const y = values(backend, labels!);
    const lossShape = reduction === 'none' ? rowShape : [];
    const loss = unzeroed(size(lossShape));
    const lse = unzeroed(rows);
    softmaxXent(x, y, loss, lse, rows, classes, XENT_REDUCTIONS[reduction]);
    return [backend.makeTensorInfo(lossShape, 'float32', loss), backend.makeTensorInfo(rowShape, 'float32', lse)];
  };
  const gradient: tf.KernelFunc = (args) => {
    const { dy, logits, labels, lse } = args.inputs;
    const { reduction } = args.attrs as unknown as SoftmaxCrossEntropyAttrs;
    const [rows, classes] = geometry(SOFTMAX_XENT_GRAD, logits, labels);
    if (!dy || !lse || !allFloat(dy, lse)) throw new InternalError(`${SOFTMAX_XENT_GRAD}: float32 dy and lse required`);
    const backend = cpuOf(args);
    const [d, x, y, l] = [dy, logits!, labels!, lse].map((t) => values(backend, t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    return [output(backend, logits!.shape.slice(), (data) => softmaxXentGrad(d, x, y, l, data, rows, classes, XENT_REDUCTIONS[reduction]))];
  };
  return [[SOFTMAX_XENT, forward], [SOFTMAX_XENT_GRAD, gradient]];
}

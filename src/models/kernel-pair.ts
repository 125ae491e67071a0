/**
 * The plumbing shared by batchlab's normalisation kernel pairs (batch-norm-train.ts,
 * group-norm-kernel.ts): a forward kernel with inputs x, gamma, beta and outputs y and two
 * statistics, and a gradient kernel that takes dy, x, gamma, the two statistics and the
 * gradients reaching them (named `d<stat>`), and returns dx, dgamma, dbeta.
 *
 * `defineKernelPair` registers the gradient of the forward (once, at import) and returns a
 * runner that, on first use on a backend without kernels of its own, registers the composed
 * versions (the same math from tensor ops) before running the forward.
 */
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.ts';

export interface KernelPairSpec<A extends object> {
  /** The forward kernel's name. */
  forward: string;
  /** The gradient kernel's name. */
  backward: string;
  /** The names of the two statistics the forward returns after y, in output order. */
  stats: readonly [string, string];
  /** The forward from tensor ops: [y, stat0, stat1]. */
  composedForward: (x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, attrs: A) => tf.Tensor[];
  /**
   * The backward from tensor ops: [dx, dgamma, dbeta]. `dstats` are the gradients reaching the
   * statistics outputs, null where the kernel was called without them.
   */
  composedBackward: (
    dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor1D, stats: [tf.Tensor, tf.Tensor],
    dstats: [tf.Tensor | null, tf.Tensor | null], attrs: A,
  ) => tf.Tensor[];
}

/** Runs the forward kernel on the current backend: [y, stat0, stat1]. */
export type KernelPairRunner<A extends object> = (x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, attrs: A) => tf.Tensor[];

function kernelInput(inputs: tf.NamedTensorInfoMap, name: string): tf.Tensor {
  const info = inputs[name];
  if (info == null) throw new InternalError(`kernel input '${name}' is missing`);
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

function optionalKernelInput(inputs: tf.NamedTensorInfoMap, name: string): tf.Tensor | null {
  return inputs[name] == null ? null : kernelInput(inputs, name);
}

/** Registers the gradient of `spec.forward` and returns the runner of the pair. */
export function defineKernelPair<A extends object>(spec: KernelPairSpec<A>): KernelPairRunner<A> {
  const [s0, s1] = spec.stats;
  const [ds0, ds1] = [`d${s0}`, `d${s1}`];

  const composedForward: tf.KernelFunc = ({ inputs, attrs }) =>
    tf.tidy(() => spec.composedForward(
      kernelInput(inputs, 'x'), kernelInput(inputs, 'gamma') as tf.Tensor1D, kernelInput(inputs, 'beta') as tf.Tensor1D,
      attrs as unknown as A,
    ));

  const composedBackward: tf.KernelFunc = ({ inputs, attrs }) =>
    tf.tidy(() => spec.composedBackward(
      kernelInput(inputs, 'dy'), kernelInput(inputs, 'x'), kernelInput(inputs, 'gamma') as tf.Tensor1D,
      [kernelInput(inputs, s0), kernelInput(inputs, s1)],
      [optionalKernelInput(inputs, ds0), optionalKernelInput(inputs, ds1)],
      attrs as unknown as A,
    ));

  /** Registers the composed kernels for `backend` where it has none of its own. */
  const ensureKernels = (backend: string): void => {
    if (tf.getKernel(spec.forward, backend) == null) tf.registerKernel({ kernelName: spec.forward, backendName: backend, kernelFunc: composedForward });
    if (tf.getKernel(spec.backward, backend) == null) tf.registerKernel({ kernelName: spec.backward, backendName: backend, kernelFunc: composedBackward });
  };

  tf.registerGradient({
    kernelName: spec.forward,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, gamma, stat0, stat1] = saved;
      // The engine hands zeros for outputs outside the backward graph (the statistics usually are).
      const [dy, dstat0, dstat1] = dys as tf.Tensor[];
      const [dx, dgamma, dbeta] = tf.engine().runKernel(
        spec.backward, { dy, x, gamma, [s0]: stat0, [s1]: stat1, [ds0]: dstat0, [ds1]: dstat1 }, attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });

  return (x, gamma, beta, attrs) => {
    ensureKernels(tf.getBackend());
    return tf.engine().runKernel(spec.forward, { x, gamma, beta }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  };
}

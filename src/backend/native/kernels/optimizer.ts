/**
 * The optimizer kernel: BatchlabSgdUpdate (src/train/optimizers.ts), a variable's whole
 * SGD/momentum update in one pass, in place in the weight's and velocity's arrays when nothing
 * else can hold them; and the pinning that keeps the in-place update away from arrays read out.
 */
import type * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { SGD_UPDATE, type SgdUpdateAttrs } from '../../kernel-names.ts';
import type { NativeAddon } from '../addon.ts';
import { InternalError } from '../../../errors.ts';
import { allFloat, cpuOf, poisoningOutputs, size, unzeroed, values, type Info } from './support.ts';

/**
 * Arrays the SGD kernel allocated for a weight or velocity and may overwrite in its next update.
 * An array leaves the set once anything could hold it beyond its one tensor: read out through
 * readSync/read (register.ts), or viewed by a kernel that returns views of its input (VIEW_KERNELS).
 */
const rewritable = new WeakSet<Float32Array>();

/** No later SGD update may overwrite this array (it has been read out or viewed). */
export function pinValues(values: unknown): void {
  if (values instanceof Float32Array) rewritable.delete(values);
}

/** The cpu backend's kernels whose outputs may be views of their input's array (contiguous slices). */
export const VIEW_KERNELS = ['Slice', 'StridedSlice', 'SplitV', 'Unpack', 'TopK'];

/**
 * Where an optimizer kernel writes the new value of `t` (whose array is `v`): `v` itself when this
 * module's kernels made it, it is still rewritable and `t` is the only holder of its data
 * (refCount 1); else a fresh array, rewritable by the next update.
 */
export function updateTarget(backend: MathBackendCPU, t: Info, v: Float32Array): Float32Array {
  if (rewritable.has(v) && backend.data.get(t.dataId).refCount === 1 && !poisoningOutputs()) return v;
  const fresh = unzeroed(size(t.shape));
  rewritable.add(fresh);
  return fresh;
}

/**
 * The update of one variable (and its velocity) in one native pass. Its output arrays are new,
 * except when an input's array is one this kernel made, still rewritable, and its tensor is the only
 * holder of its data (refCount 1): then the pass writes that array in place and the output tensor
 * shares it, which is safe only because the optimizer assigns the outputs to those very variables
 * straight away (the inputs' old tensors are released then). Nothing else runs this kernel.
 */
export function sgdUpdateKernel(sgdUpdate: NonNullable<NativeAddon['sgdUpdate']>): tf.KernelFunc {
  return (args) => {
    const { w, g, velocity, lr } = args.inputs;
    const { momentum, weightDecay, nesterov } = args.attrs as unknown as SgdUpdateAttrs;
    const backend = cpuOf(args);
    if (!w || !g || !lr || !allFloat(w, g, velocity, lr)) throw new InternalError(`${SGD_UPDATE}: float32 w, g and lr required`);
    const lrValue = values(backend, lr)[0];
    const wv = values(backend, w);
    const gv = values(backend, g);
    const vv = velocity ? values(backend, velocity) : null;
    const wOut = updateTarget(backend, w, wv);
    const vOut = velocity && vv ? updateTarget(backend, velocity, vv) : null;
    sgdUpdate(wv, gv, vv, wOut, vOut, lrValue, momentum, weightDecay, nesterov ? 1 : 0);
    const outs = [backend.makeTensorInfo(w.shape.slice(), 'float32', wOut)];
    if (vOut) outs.push(backend.makeTensorInfo(w.shape.slice(), 'float32', vOut));
    return outs;
  };
}

/** A cpu kernel whose outputs may view its inputs' arrays: those arrays become unrewritable first. */
export function pinningInputs(config: tf.KernelConfig): tf.KernelConfig {
  const f = config.kernelFunc;
  return {
    ...config,
    kernelFunc: (args) => {
      const backend = cpuOf(args);
      for (const t of Object.values(args.inputs)) if (t) pinValues(backend.data.get(t.dataId)?.values);
      return f(args);
    },
  };
}

/**
 * The Adam kernel: BatchlabAdamUpdate (src/train/optimizers.ts), a variable's whole Adam update
 * (weight, first and second moments) in one native pass, where the optimizer's op chain runs
 * about twelve kernels. Like the SGD kernel (optimizer.ts) it writes in place into the arrays of
 * its own earlier outputs when nothing else can hold them.
 */
import type * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../../kernel-names.ts';
import type { NativeAddon } from '../addon.ts';
import { InternalError } from '../../../errors.ts';
import { updateTarget } from './optimizer.ts';
import { allFloat, cpuOf, values } from './support.ts';

/**
 * The update of one variable and its two moments in one native pass. The outputs go straight back
 * into those variables (the optimizer assigns them at once), which is what makes the in-place
 * writes of updateTarget safe; nothing else runs this kernel.
 */
export function adamUpdateKernel(adamUpdate: NonNullable<NativeAddon['adamUpdate']>): tf.KernelFunc {
  return (args) => {
    const { w, g, m, s, lr } = args.inputs;
    const a = args.attrs as unknown as AdamUpdateAttrs;
    const backend = cpuOf(args);
    if (!w || !g || !m || !s || !lr || !allFloat(w, g, m, s, lr)) throw new InternalError(`${ADAM_UPDATE}: float32 w, g, m, s and lr required`);
    const lrValue = values(backend, lr)[0];
    const [wv, gv, mv, sv] = [w, g, m, s].map((t) => values(backend, t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const wOut = updateTarget(backend, w, wv);
    const mOut = updateTarget(backend, m, mv);
    const sOut = updateTarget(backend, s, sv);
    adamUpdate(
      wv, gv, mv, sv, wOut, mOut, sOut, lrValue,
      a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.epsilon, a.weightDecay, a.correction1, a.correction2,
    );
    return [wOut, mOut, sOut].map((out) => backend.makeTensorInfo(w.shape.slice(), 'float32', out));
  };
}

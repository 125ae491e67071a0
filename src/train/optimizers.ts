/**
 * SGD (momentum, Nesterov) and Adam written with tf ops, so the LR can change every step without
 * rebuilding state and the update rules match PyTorch's:
 *   SGD:      v = m v + g;  w -= lr (g + m v) if Nesterov else lr v
 *   Adam:     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  w -= lr m_hat / (sqrt(v_hat) + eps)
 * Weight decay is L2 added to the gradient of kernels (rank >= 2), not of biases or norm scales.
 * A backend that registers SGD_UPDATE (native, webgpu) runs each variable's SGD update as that one
 * kernel (webgpu: plain SGD two variables at a time, SGD_UPDATE_PAIR), and one that registers
 * ADAM_UPDATE (native, webgpu) each Adam update: the same float32 operations in the same order; every
 * other backend runs the op chains below.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ADAM_UPDATE, SGD_UPDATE, SGD_UPDATE_PAIR, type AdamUpdateAttrs, type SgdUpdateAttrs, type SgdUpdatePairAttrs,
} from '../backend/kernel-names.ts';
import type { OptimizerSpec } from '../config/schema.ts';
import { CheckpointMismatchError } from './checkpoint-state.ts';

export interface Optimizer {
  /** Applies one update. `grads[i]` belongs to `vars[i]`; `lr` is a scalar tensor. Disposes nothing it is given. */
  apply(grads: readonly tf.Tensor[], lr: tf.Scalar): void;
  /** Updates applied so far (Adam's bias corrections are beta^t) and the slot variables, in a fixed order. */
  state(): { t: number; slots: readonly tf.Variable[] };
  /** Sets the update count and every slot (same order and shapes as state().slots). */
  restore(t: number, slots: readonly tf.Tensor[]): void;
  dispose(): void;
}

function restoreSlots(own: readonly tf.Variable[], given: readonly tf.Tensor[]): void {
  if (given.length !== own.length) throw new CheckpointMismatchError(`optimizer state has ${given.length} slots, expected ${own.length}`);
  own.forEach((v, i) => {
    if (!tf.util.arraysEqual(v.shape, given[i].shape)) {
      throw new CheckpointMismatchError(`optimizer slot ${i} has shape [${given[i].shape}], expected [${v.shape}]`);
    }
    v.assign(given[i]);
  });
}

function zerosLike(vars: readonly tf.Variable[]): tf.Variable[] {
  return tf.tidy(() => vars.map((v) => tf.variable(tf.zerosLike(v), false)));
}

function decayed(spec: OptimizerSpec, v: tf.Variable, g: tf.Tensor): tf.Tensor {
  return spec.weightDecay > 0 && v.rank >= 2 ? tf.add(g, tf.mul(v, spec.weightDecay)) : g;
}

function createSgd(spec: Extract<OptimizerSpec, { name: 'sgd' }>, vars: readonly tf.Variable[]): Optimizer {
  const velocity = spec.momentum > 0 ? zerosLike(vars) : [];
  let t = 0;
  // Looked up once: the backend does not change during a run.
  const fused = tf.getKernel(SGD_UPDATE, tf.getBackend()) != null;
  const paired = spec.momentum === 0 && tf.getKernel(SGD_UPDATE_PAIR, tf.getBackend()) != null;
  const attrs = vars.map((v): SgdUpdateAttrs => ({
    momentum: spec.momentum, weightDecay: v.rank >= 2 ? spec.weightDecay : 0, nesterov: spec.nesterov,
  }));
  const floats = (grads: readonly tf.Tensor[], i: number) => vars[i].dtype === 'float32' && grads[i].dtype === 'float32';

  const updateOne = (grads: readonly tf.Tensor[], lr: tf.Scalar, i: number): void => {
    const v = vars[i];
    if (fused && floats(grads, i)) {
      const inputs: tf.NamedTensorMap = spec.momentum > 0 ? { w: v, g: grads[i], velocity: velocity[i], lr } : { w: v, g: grads[i], lr };
      // The kernel may write v's and the velocity's arrays in place: its outputs go straight back into them.
      const outs = tf.engine().runKernel(SGD_UPDATE, inputs, attrs[i] as unknown as tf.NamedAttrMap) as tf.Tensor[];
      if (spec.momentum > 0) velocity[i].assign(outs[1]);
      v.assign(outs[0]);
      return;
    }
    const g = decayed(spec, v, grads[i]);
    let step = g;
    if (spec.momentum > 0) {
      const vel = tf.add(tf.mul(velocity[i], spec.momentum), g);
      velocity[i].assign(vel);
      step = spec.nesterov ? tf.add(g, tf.mul(vel, spec.momentum)) : vel;
    }
    v.assign(tf.sub(v, tf.mul(step, lr)));
  };

  /** Plain SGD of variables j and i in one kernel (SGD_UPDATE_PAIR). */
  const updatePair = (grads: readonly tf.Tensor[], lr: tf.Scalar, j: number, i: number): void => {
    const pairAttrs: SgdUpdatePairAttrs = { weightDecay: attrs[j].weightDecay, weightDecay2: attrs[i].weightDecay };
    const [wj, wi] = tf.engine().runKernel(
      SGD_UPDATE_PAIR, { w: vars[j], g: grads[j], w2: vars[i], g2: grads[i], lr }, pairAttrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    vars[j].assign(wj!);
    vars[i].assign(wi!);
  };

  return {
    apply(grads, lr) {
      t += 1;
      tf.tidy(() => {
        let pending = -1;
        vars.forEach((_, i) => {
          if (!paired || !floats(grads, i)) return updateOne(grads, lr, i);
          if (pending < 0) pending = i;
          else {
            updatePair(grads, lr, pending, i);
            pending = -1;
          }
        });
        if (pending >= 0) updateOne(grads, lr, pending);
      });
    },
    state: () => ({ t, slots: velocity }),
    restore(steps, slots) {
      restoreSlots(velocity, slots);
      t = steps;
    },
    dispose() {
      velocity.forEach((x) => x.dispose());
    },
  };
}

function createAdam(spec: Extract<OptimizerSpec, { name: 'adam' }>, vars: readonly tf.Variable[]): Optimizer {
  const m = zerosLike(vars);
  const s = zerosLike(vars);
  let t = 0;
  const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) != null;
  return {
    apply(grads, lr) {
      t += 1;
      const c1 = 1 - spec.beta1 ** t;
      const c2 = 1 - spec.beta2 ** t;
      tf.tidy(() => {
        vars.forEach((v, i) => {
          if (fused && v.dtype === 'float32' && grads[i].dtype === 'float32') {
            const attrs: AdamUpdateAttrs = {
              beta1: spec.beta1, beta2: spec.beta2, epsilon: spec.epsilon,
              weightDecay: v.rank >= 2 ? spec.weightDecay : 0, correction1: c1, correction2: c2,
            };
            const [w, mi, si] = tf.engine().runKernel(
              ADAM_UPDATE, { w: v, g: grads[i], m: m[i], s: s[i], lr }, attrs as unknown as tf.NamedAttrMap,
            ) as tf.Tensor[];
            m[i].assign(mi!);
            s[i].assign(si!);
            v.assign(w!);
            return;
          }
          const g = decayed(spec, v, grads[i]);
          const mi = tf.add(tf.mul(m[i], spec.beta1), tf.mul(g, 1 - spec.beta1));
          const si = tf.add(tf.mul(s[i], spec.beta2), tf.mul(tf.square(g), 1 - spec.beta2));
          m[i].assign(mi);
          s[i].assign(si);
          const denom = tf.add(tf.sqrt(tf.div(si, c2)), spec.epsilon);
          v.assign(tf.sub(v, tf.mul(tf.div(tf.div(mi, c1), denom), lr)));
        });
      });
    },
    state: () => ({ t, slots: [...m, ...s] }),
    restore(steps, slots) {
      restoreSlots([...m, ...s], slots);
      t = steps;
    },
    dispose() {
      [...m, ...s].forEach((x) => x.dispose());
    },
  };
}

export function createOptimizer(spec: OptimizerSpec, vars: readonly tf.Variable[]): Optimizer {
  return spec.name === 'sgd' ? createSgd(spec, vars) : createAdam(spec, vars);
}

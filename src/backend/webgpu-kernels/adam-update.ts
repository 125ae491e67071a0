/**
 * The Adam update of one variable (BatchlabAdamUpdate, train/optimizers.ts) on webgpu: one
 * element-wise dispatch where the optimizer's op chain takes about twelve. The same float32
 * operations in the same order as the op chain:
 *   g' = g + w * weightDecay (when weightDecay > 0);
 *   m' = m * beta1 + g' * (1 - beta1);  s' = s * beta2 + g'^2 * (1 - beta2);
 *   w' = w - ((m' / c1) / (sqrt(s' / c2) + epsilon)) * lr,  c1 = 1 - beta1^t, c2 = 1 - beta2^t.
 * Eight storage buffers (w, g, m, s, lr in; w', m', s' out): WebGPU's default limit per stage.
 */
import type * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../kernel-names.ts';
import { floatInput, gridWorkgroups, registerWebgpuKernel, runFusedProgram } from './fused-program.ts';

const WG = 256;

function body(decay: boolean): string {
  return `
fn run(wg: u32, lid: u32, nwg: u32) {
  let rate = lr[0];
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    ${decay ? 'let gi = g[i] + w[i] * u.decay;' : 'let gi = g[i];'}
    let mi = m[i] * u.beta1 + gi * u.oneMinusBeta1;
    let si = s[i] * u.beta2 + (gi * gi) * u.oneMinusBeta2;
    mOut[i] = mi;
    sOut[i] = si;
    let denom = sqrt(si / u.correction2) + u.epsilon;
    wOut[i] = w[i] - ((mi / u.correction1) / denom) * rate;
  }
}`;
}

function adamUpdate({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [w, g, m, s, lr] = ['w', 'g', 'm', 's', 'lr'].map((n) => floatInput(inputs, ADAM_UPDATE, n)) as tf.TensorInfo[];
  const a = attrs as unknown as AdamUpdateAttrs;
  const size = w!.shape.reduce((p, q) => p * q, 1);
  const decay = a.weightDecay > 0;
  return runFusedProgram(backend, {
    name: 'BatchlabAdamUpdate', key: `${decay}`, workgroupSize: WG, workgroups: gridWorkgroups(size, WG),
    inputs: [['w', w!], ['g', g!], ['m', m!], ['s', s!], ['lr', lr!]],
    outputs: [['wOut', w!.shape.slice()], ['mOut', w!.shape.slice()], ['sOut', w!.shape.slice()]],
    uniforms: [
      ['size', 'u32', size], ['beta1', 'f32', a.beta1], ['oneMinusBeta1', 'f32', 1 - a.beta1],
      ['beta2', 'f32', a.beta2], ['oneMinusBeta2', 'f32', 1 - a.beta2], ['correction1', 'f32', a.correction1],
      ['correction2', 'f32', a.correction2], ['epsilon', 'f32', a.epsilon], ['decay', 'f32', a.weightDecay],
    ],
    body: () => body(decay),
  });
}

export function registerAdamUpdateWebgpu(): void {
  registerWebgpuKernel(ADAM_UPDATE, adamUpdate);
}

/**
 * The SGD update of one variable (BatchlabSgdUpdate, train/optimizers.ts) on webgpu: one
 * element-wise dispatch where the optimizer's op chain takes two (plain SGD) to eight (weight
 * decay, Nesterov momentum). The same float32 operations in the same order as the op chain:
 *   g' = g + w * weightDecay (when weightDecay > 0);  v' = v * momentum + g';
 *   step = g' + v' * momentum (Nesterov) or v' (momentum) or g' (plain);  w' = w - step * lr.
 * Outputs are new tensors: w' and, with momentum, v'. Plain SGD (no momentum) of two variables
 * runs as one dispatch (BatchlabSgdUpdatePair: 7 of the 8 storage buffers a stage may bind).
 */
import type * as tf from '@tensorflow/tfjs';
import { SGD_UPDATE, SGD_UPDATE_PAIR, type SgdUpdateAttrs, type SgdUpdatePairAttrs } from '../kernel-names.ts';
import { floatInput, gridWorkgroups, registerWebgpuKernel, runFusedProgram } from './fused-program.ts';

const WG = 256;

function body(decay: boolean, momentum: boolean, nesterov: boolean): string {
  const step = !momentum ? 'gi' : nesterov ? 'gi + vi * u.momentum' : 'vi';
  return `
fn run(wg: u32, lid: u32, nwg: u32) {
  let rate = lr[0];
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    ${decay ? 'let gi = g[i] + w[i] * u.decay;' : 'let gi = g[i];'}
    ${momentum ? 'let vi = velocity[i] * u.momentum + gi;\n    vOut[i] = vi;' : ''}
    wOut[i] = w[i] - (${step}) * rate;
  }
}`;
}

function sgdUpdate({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const w = floatInput(inputs, SGD_UPDATE, 'w');
  const g = floatInput(inputs, SGD_UPDATE, 'g');
  const lr = floatInput(inputs, SGD_UPDATE, 'lr');
  const velocity = inputs.velocity == null ? null : floatInput(inputs, SGD_UPDATE, 'velocity');
  const { momentum, weightDecay, nesterov } = attrs as unknown as SgdUpdateAttrs;
  const size = w.shape.reduce((a, b) => a * b, 1);
  const decay = weightDecay > 0;
  const useNesterov = velocity != null && nesterov;
  return runFusedProgram(backend, {
    name: 'BatchlabSgdUpdate', key: `${decay}${velocity != null}${useNesterov}`, workgroupSize: WG, workgroups: gridWorkgroups(size, WG),
    inputs: [['w', w], ['g', g], ['lr', lr], ...(velocity ? [['velocity', velocity] as [string, tf.TensorInfo]] : [])],
    outputs: [['wOut', w.shape.slice()], ...(velocity ? [['vOut', w.shape.slice()] as [string, number[]]] : [])],
    uniforms: [['size', 'u32', size], ['momentum', 'f32', momentum], ['decay', 'f32', weightDecay]],
    body: () => body(decay, velocity != null, useNesterov),
  });
}

function pairBody(decay: boolean, decay2: boolean): string {
  return `
fn run(wg: u32, lid: u32, nwg: u32) {
  let rate = lr[0];
  for (var i = wg * ${WG}u + lid; i < u.size + u.size2; i = i + nwg * ${WG}u) {
    if (i < u.size) {
      ${decay ? 'let gi = g[i] + w[i] * u.decay;' : 'let gi = g[i];'}
      wOut[i] = w[i] - gi * rate;
    } else {
      let k = i - u.size;
      ${decay2 ? 'let gk = g2[k] + w2[k] * u.decay2;' : 'let gk = g2[k];'}
      w2Out[k] = w2[k] - gk * rate;
    }
  }
}`;
}

/** Plain SGD of two variables in one dispatch (SGD_UPDATE_PAIR): 5 inputs, 2 outputs. */
function sgdUpdatePair({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [w, g, w2, g2, lr] = ['w', 'g', 'w2', 'g2', 'lr'].map((n) => floatInput(inputs, SGD_UPDATE_PAIR, n)) as tf.TensorInfo[];
  const { weightDecay, weightDecay2 } = attrs as unknown as SgdUpdatePairAttrs;
  const size = w!.shape.reduce((a, b) => a * b, 1);
  const size2 = w2!.shape.reduce((a, b) => a * b, 1);
  return runFusedProgram(backend, {
    name: 'BatchlabSgdUpdatePair', key: `${weightDecay > 0}${weightDecay2 > 0}`, workgroupSize: WG, workgroups: gridWorkgroups(size + size2, WG),
    inputs: [['w', w!], ['g', g!], ['w2', w2!], ['g2', g2!], ['lr', lr!]],
    outputs: [['wOut', w!.shape.slice()], ['w2Out', w2!.shape.slice()]],
    uniforms: [['size', 'u32', size], ['size2', 'u32', size2], ['decay', 'f32', weightDecay], ['decay2', 'f32', weightDecay2]],
    body: () => pairBody(weightDecay > 0, weightDecay2 > 0),
  });
}

export function registerSgdUpdateWebgpu(): void {
  registerWebgpuKernel(SGD_UPDATE, sgdUpdate);
  registerWebgpuKernel(SGD_UPDATE_PAIR, sgdUpdatePair);
}

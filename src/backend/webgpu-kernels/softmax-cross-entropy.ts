/**
 * Softmax cross-entropy per example and its gradient (train/softmax-cross-entropy.ts) on webgpu:
 * one dispatch each way, where tfjs's tf.losses.softmaxCrossEntropy composes about ten ops
 * forward and six backward. The same float32 math as tfjs's op:
 *   lse = max + log(sum(exp(logits - max))),  loss = sum(-((logits - lse) * labels)),
 *   dlogits = dy * (exp(logits - lse) - labels).
 * Forward: one thread per row (a loop over the classes); backward: one thread per element.
 */
import type * as tf from '@tensorflow/tfjs';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD } from '../kernel-names.ts';
import { floatInput, gridWorkgroups, registerWebgpuKernel, runFusedProgram } from './fused-program.ts';

const WG = 64;

const FORWARD_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  let C = u.classes;
  for (var r = wg * ${WG}u + lid; r < u.rows; r = r + nwg * ${WG}u) {
    let base = r * C;
    var mx = logits[base];
    for (var j = 1u; j < C; j = j + 1u) { mx = max(mx, logits[base + j]); }
    var se = 0.0;
    for (var j = 0u; j < C; j = j + 1u) { se = se + exp(logits[base + j] - mx); }
    let l = mx + log(se);
    var cost = 0.0;
    for (var j = 0u; j < C; j = j + 1u) { cost = cost + -((logits[base + j] - l) * labels[base + j]); }
    loss[r] = cost;
    lse[r] = l;
  }
}`;

const GRAD_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    let r = i / u.classes;
    dlogits[i] = dy[r] * (exp(logits[i] - lse[r]) - labels[i]);
  }
}`;

function rowsAndClasses(logits: tf.TensorInfo): [number, number] {
  const classes = logits.shape[logits.shape.length - 1]!;
  return [logits.shape.reduce((a, b) => a * b, 1) / classes, classes];
}

function forward({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const logits = floatInput(inputs, SOFTMAX_XENT, 'logits');
  const labels = floatInput(inputs, SOFTMAX_XENT, 'labels');
  const [rows, classes] = rowsAndClasses(logits);
  const rowShape = logits.shape.slice(0, -1);
  return runFusedProgram(backend, {
    name: 'BatchlabSoftmaxCrossEntropy', key: '', workgroupSize: WG, workgroups: gridWorkgroups(rows, WG),
    inputs: [['logits', logits], ['labels', labels]],
    outputs: [['loss', rowShape], ['lse', rowShape]],
    uniforms: [['rows', 'u32', rows], ['classes', 'u32', classes]],
    body: FORWARD_BODY,
  });
}

function gradient({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [dy, logits, labels, lse] = ['dy', 'logits', 'labels', 'lse'].map((n) => floatInput(inputs, SOFTMAX_XENT_GRAD, n)) as tf.TensorInfo[];
  const [rows, classes] = rowsAndClasses(logits!);
  return runFusedProgram(backend, {
    name: 'BatchlabSoftmaxCrossEntropyGrad', key: '', workgroupSize: WG, workgroups: gridWorkgroups(rows * classes, WG),
    inputs: [['dy', dy!], ['logits', logits!], ['labels', labels!], ['lse', lse!]],
    outputs: [['dlogits', logits!.shape.slice()]],
    uniforms: [['size', 'u32', rows * classes], ['classes', 'u32', classes]],
    body: GRAD_BODY,
  });
}

export function registerSoftmaxCrossEntropyWebgpu(): void {
  registerWebgpuKernel(SOFTMAX_XENT, forward);
  registerWebgpuKernel(SOFTMAX_XENT_GRAD, gradient);
}

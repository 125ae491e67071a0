/**
 * Softmax cross-entropy and its gradient (train/softmax-cross-entropy.ts) on webgpu: one
 * dispatch each way, where tfjs's tf.losses.softmaxCrossEntropy composes about ten ops forward
 * and six backward, and the mean over the batch and its gradient three more. The same float32
 * math as tfjs's op:
 *   lse = max + log(sum(exp(logits - max))),  loss = sum(-((logits - lse) * labels)),
 *   dlogits = dy * (exp(logits - lse) - labels)   (dy / rows for the mean).
 * Per row: one thread loops over the classes. Reduced ('mean', 'sum'): one workgroup takes
 * every row and sums the row losses in a fixed order (runs of 64 per thread, then a tree).
 */
import type * as tf from '@tensorflow/tfjs';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD, type SoftmaxCrossEntropyAttrs } from '../kernel-names.ts';
import { floatInput, gridWorkgroups, registerWebgpuKernel, runFusedProgram, treeSum } from './fused-program.ts';

const WG = 64;

/** WGSL: row r's loss as `cost`, its lse written. */
const ROW_LOSS = `
    let base = r * C;
    var mx = logits[base];
    for (var j = 1u; j < C; j = j + 1u) { mx = max(mx, logits[base + j]); }
    var se = 0.0;
    for (var j = 0u; j < C; j = j + 1u) { se = se + exp(logits[base + j] - mx); }
    let l = mx + log(se);
    var cost = 0.0;
    for (var j = 0u; j < C; j = j + 1u) { cost = cost + -((logits[base + j] - l) * labels[base + j]); }
    lse[r] = l;`;

const PER_ROW_BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  let C = u.classes;
  for (var r = wg * ${WG}u + lid; r < u.rows; r = r + nwg * ${WG}u) {
    ${ROW_LOSS}
    loss[r] = cost;
  }
}`;

function reducedBody(mean: boolean): string {
  return `
var<workgroup> red: array<f32, ${WG}>;
fn run(wg: u32, lid: u32, nwg: u32) {
  let C = u.classes;
  var total = 0.0;
  var part = 0.0;
  var n = 0u;
  for (var r = lid; r < u.rows; r = r + ${WG}u) {
    ${ROW_LOSS}
    part = part + cost;
    n = n + 1u;
    if (n == 64u) { total = total + part; part = 0.0; n = 0u; }
  }
  red[lid] = total + part;
  workgroupBarrier();${treeSum('red', WG)}
  if (lid == 0u) { loss[0] = ${mean ? 'red[0] / f32(u.rows)' : 'red[0]'}; }
}`;
}

function gradBody(reduction: SoftmaxCrossEntropyAttrs['reduction']): string {
  const scale = reduction === 'none' ? 'dy[r]' : reduction === 'mean' ? 'dy[0] / f32(u.rows)' : 'dy[0]';
  return `
fn run(wg: u32, lid: u32, nwg: u32) {
  for (var i = wg * ${WG}u + lid; i < u.size; i = i + nwg * ${WG}u) {
    let r = i / u.classes;
    dlogits[i] = ${scale} * (exp(logits[i] - lse[r]) - labels[i]);
  }
}`;
}

function rowsAndClasses(logits: tf.TensorInfo): [number, number] {
  const classes = logits.shape[logits.shape.length - 1]!;
  return [logits.shape.reduce((a, b) => a * b, 1) / classes, classes];
}

function forward({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const logits = floatInput(inputs, SOFTMAX_XENT, 'logits');
  const labels = floatInput(inputs, SOFTMAX_XENT, 'labels');
  const { reduction } = attrs as unknown as SoftmaxCrossEntropyAttrs;
  const [rows, classes] = rowsAndClasses(logits);
  const rowShape = logits.shape.slice(0, -1);
  const reduced = reduction !== 'none';
  return runFusedProgram(backend, {
    name: 'BatchlabSoftmaxCrossEntropy', key: reduction, workgroupSize: WG, workgroups: reduced ? 1 : gridWorkgroups(rows, WG),
    inputs: [['logits', logits], ['labels', labels]],
    outputs: [['loss', reduced ? [] : rowShape], ['lse', rowShape]],
    uniforms: [['rows', 'u32', rows], ['classes', 'u32', classes]],
    body: () => reduced ? reducedBody(reduction === 'mean') : PER_ROW_BODY,
  });
}

function gradient({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const [dy, logits, labels, lse] = ['dy', 'logits', 'labels', 'lse'].map((n) => floatInput(inputs, SOFTMAX_XENT_GRAD, n)) as tf.TensorInfo[];
  const { reduction } = attrs as unknown as SoftmaxCrossEntropyAttrs;
  const [rows, classes] = rowsAndClasses(logits!);
  return runFusedProgram(backend, {
    name: 'BatchlabSoftmaxCrossEntropyGrad', key: reduction, workgroupSize: WG, workgroups: gridWorkgroups(rows * classes, WG),
    inputs: [['dy', dy!], ['logits', logits!], ['labels', labels!], ['lse', lse!]],
    outputs: [['dlogits', logits!.shape.slice()]],
    uniforms: [['size', 'u32', rows * classes], ['classes', 'u32', classes], ['rows', 'u32', rows]],
    body: () => gradBody(reduction),
  });
}

export function registerSoftmaxCrossEntropyWebgpu(): void {
  registerWebgpuKernel(SOFTMAX_XENT, forward);
  registerWebgpuKernel(SOFTMAX_XENT_GRAD, gradient);
}

/**
 * Sum and Mean on webgpu over axes that leave the last axis: a global average pool (mean over H
 * and W of NHWC) and a dense layer's bias gradient (sum over the batch). tfjs-webgpu reduces
 * only the innermost axes, so it first transposes the reduced axes to the end: two dispatches and
 * a copy of the tensor. Here the tensor is read in place as [outer, mid, inner] (mid the reduced
 * axes, contiguous) and each thread sums one output's `mid` values in order, in runs of 64 (the
 * rounding error grows with 64 + mid / 64, not mid): one dispatch, the same bits every run.
 *
 * Handled: float32, the reduced axes one contiguous block not holding the last axis, mid up to
 * MAX_MID (one thread per output walks them in sequence). Anything else (the last axis reduced,
 * which tfjs reduces without a transpose; scattered axes; long reductions over few outputs; other
 * dtypes) runs tfjs's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { gridWorkgroups, runFusedProgram } from './fused-program.ts';
import { replaceWebgpuKernel } from './replace-kernel.ts';

const WG = 256;

/** Longest reduction one thread takes: beyond it tfjs's workgroup-per-output reduction is the better fit. */
export const MAX_MID = 4096;

export interface MiddleSplit {
  outer: number;
  mid: number;
  inner: number;
}

/**
 * x's shape as [outer, mid, inner] around the reduced `axes`, or null when this kernel does not
 * handle them (not one contiguous block, the last axis among them, nothing to reduce, or mid
 * longer than MAX_MID). Pure.
 */
export function middleSplit(shape: readonly number[], axes: readonly number[]): MiddleSplit | null {
  if (axes.length === 0 || shape.length < 2) return null;
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (last - first + 1 !== sorted.length || new Set(sorted).size !== sorted.length || last >= shape.length - 1) return null;
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const split = { outer: size(0, first), mid: size(first, last + 1), inner: size(last + 1, shape.length) };
  return split.mid > MAX_MID || split.mid === 0 || split.outer * split.inner === 0 ? null : split;
}

const BODY = `
fn run(wg: u32, lid: u32, nwg: u32) {
  let outputs = u.outer * u.inner;
  for (var i = wg * ${WG}u + lid; i < outputs; i = i + nwg * ${WG}u) {
    let base = (i / u.inner) * u.mid * u.inner + i % u.inner;
    var total = 0.0;
    var part = 0.0;
    var n = 0u;
    for (var m = 0u; m < u.mid; m = m + 1u) {
      part = part + x[base + m * u.inner];
      n = n + 1u;
      if (n == 64u) {
        total = total + part;
        part = 0.0;
        n = 0u;
      }
    }
    y[i] = (total + part) * u.scale;
  }
}`;

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

function reduceKernel(mean: boolean): (stock: tf.KernelFunc) => tf.KernelFunc {
  return (stock) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as ReduceAttrs;
    if (x.dtype !== 'float32') return stock(args);
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const split = middleSplit(x.shape, axes);
    if (split == null) return stock(args);
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const [y] = runFusedProgram(args.backend, {
      name: mean ? 'BatchlabMeanMiddle' : 'BatchlabSumMiddle', key: '', workgroupSize: WG,
      workgroups: gridWorkgroups(split.outer * split.inner, WG),
      inputs: [['x', x]],
      outputs: [['y', shape]],
      uniforms: [['outer', 'u32', split.outer], ['mid', 'u32', split.mid], ['inner', 'u32', split.inner], ['scale', 'f32', mean ? 1 / split.mid : 1]],
      body: BODY,
    });
    return y!;
  };
}

export function registerReduceMiddle(): void {
  replaceWebgpuKernel('Sum', reduceKernel(false));
  replaceWebgpuKernel('Mean', reduceKernel(true));
}

/**
 * Fast Transpose for wasm. The stock kernel walks the output element by element with strided
 * reads; a [1024,784] matrix (the input of an MLP's first layer, transposed for its weight
 * gradient) took ~6-9 ms, 15% of an MLP training step at batch 1024. Most transposes met in
 * training swap two blocks of axes, possibly under leading batch axes and above a trailing
 * contiguous block; this wrapper copies those in cache-sized tiles in JavaScript over the
 * wasm heap (~1-2 ms for the same matrix).
 */
import type * as tf from '@tensorflow/tfjs';
import { heapBackend } from './heap-access.ts';

/** Tile edge of the blocked copy: 8x8 floats keeps both the reads and the strided writes in cache. */
const TILE = 8;

/**
 * Reduces (shape, perm) to the [batch, rows, cols, inner] copy that swaps rows and cols, when
 * the transpose is one: size-1 axes dropped, axes that stay neighbours merged. Null otherwise
 * (including the identity, which the stock kernel copies just as well).
 */
export function planBlockSwap(
  shape: readonly number[],
  perm: readonly number[],
): { batch: number; rows: number; cols: number; inner: number } | null {
  // Size-1 axes are dropped first; axes are then numbered by position among the kept ones.
  const keptAxes = shape.map((_, a) => a).filter((a) => shape[a] !== 1);
  const dims = keptAxes.map((a) => shape[a]);
  const kept = perm.filter((a) => shape[a] !== 1).map((a) => keptAxes.indexOf(a));
  // Groups of input axes that stay consecutive in the output, in output order.
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const size = (g: number[]) => g.reduce((p, a) => p * dims[a], 1);
  const order = groups.map((g) => g[0]);
  const sorted = [...order].sort((a, b) => a - b);
  // Position of each group in input order.
  const rank = order.map((a) => sorted.indexOf(a));
  const n = groups.length;
  if (n < 2 || n > 4) return null;
  // Accept output group order [..batch, B, A, ..inner] where input order is [..batch, A, B, ..inner].
  let lead = 0;
  while (lead < n && rank[lead] === lead) lead++;
  if (lead > 1) return null;
  const rest = rank.slice(lead);
  const swapped = rest.length >= 2 && rest[0] === lead + 1 && rest[1] === lead &&
    rest.slice(2).every((r, i) => r === lead + 2 + i);
  if (!swapped || rest.length > 3) return null;
  return {
    batch: lead === 1 ? size(groups[0]) : 1,
    rows: size(groups[lead + 1]),
    cols: size(groups[lead]),
    inner: rest.length === 3 ? size(groups[lead + 2]) : 1,
  };
}

/** src viewed as [batch, rows, cols, inner] -> dst as [batch, cols, rows, inner]. */
export function blockSwapInto(
  src: Float32Array | Int32Array, dst: Float32Array | Int32Array,
  batch: number, rows: number, cols: number, inner: number,
): void {
  const plane = rows * cols * inner;
  const rowStride = cols * inner; // source
  const colStride = rows * inner; // destination
  for (let b = 0; b < batch; b++) {
    const base = b * plane;
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(rows, i0 + TILE);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(cols, j0 + TILE);
        for (let i = i0; i < i1; i++) {
          let s = base + i * rowStride + j0 * inner;
          let d = base + j0 * colStride + i * inner;
          if (inner === 1) {
            for (let j = j0; j < j1; j++, s++, d += colStride) dst[d] = src[s];
          } else {
            for (let j = j0; j < j1; j++, d += colStride) {
              for (let k = 0; k < inner; k++) dst[d + k] = src[s++];
            }
          }
        }
      }
    }
  }
}

/** Wraps the stock Transpose: 4-byte dtypes whose permutation is a block swap take the fast copy. */
export function fastTransposeConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs;
    const perm = (args.attrs as unknown as { perm: number[] }).perm;
    const plan = x && (x.dtype === 'float32' || x.dtype === 'int32') ? planBlockSwap(x.shape, perm) : null;
    if (plan == null) return original.kernelFunc(args);
    const heap = heapBackend(args.backend);
    const out = heap.makeOutput(perm.map((a) => x!.shape[a]), x!.dtype);
    const src = heap.typedArrayFromHeap(x!) as Float32Array | Int32Array;
    const dst = heap.typedArrayFromHeap(out) as Float32Array | Int32Array;
    blockSwapInto(src, dst, plan.batch, plan.rows, plan.cols, plan.inner);
    return out;
  };
  return { ...original, kernelFunc };
}

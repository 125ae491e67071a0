/**
 * Layout kernels: Transpose for permutations that swap two adjacent blocks of axes (all 2-D
 * transposes), and GatherV2 along axis 0 (every training batch): row copies, natively for float32.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.ts';
import { cpuKernel, cpuOf, output, size, values, type NamedKernels } from './support.ts';

/**
 * [outer, rows, cols, inner] when `perm` swaps two adjacent blocks of axes
 * (perm = [0..p-1, q..r-1, p..q-1, r..]), so the transpose is a batched matrix transpose of
 * `inner`-sized elements; null otherwise.
 */
export function blockSwap(shape: readonly number[], perm: readonly number[]): [number, number, number, number] | null {
  const n = perm.length;
  let p = 0;
  while (p < n && perm[p] === p) p++;
  if (p === n) return null;
  const q = perm[p];
  // perm[p..] = q..r-1 then p..q-1 then r..n-1
  let i = p;
  let r = q;
  while (i < n && perm[i] === r) {
    i++;
    r++;
  }
  for (let k = p; k < q; k++, i++) if (perm[i] !== k) return null;
  for (let k = r; k < n; k++, i++) if (perm[i] !== k) return null;
  return [size(shape.slice(0, p)), size(shape.slice(p, q)), size(shape.slice(q, r)), size(shape.slice(r))];
}

function transposeKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('Transpose');
  return (args) => {
    const { x } = args.inputs;
    const { perm } = args.attrs as unknown as { perm: number[] };
    const split = x && x.dtype === 'float32' && size(x.shape) > 0 ? blockSwap(x.shape, perm) : null;
    if (!x || split == null) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, perm.map((k) => x.shape[k]), (data) => addon.transpose(values(backend, x), data, ...split));
  };
}

function gatherKernel(addon: NativeAddon): tf.KernelFunc {
  const fallback = cpuKernel('GatherV2');
  return (args) => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const rank = x?.shape.length ?? 0;
    const along0 = rank > 0 && (axis === 0 || axis === -rank) && (batchDims ?? 0) === 0;
    if (!x || !indices || !along0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') return fallback(args);
    const backend = cpuOf(args);
    const idx = backend.data.get(indices.dataId).values as Int32Array;
    const rows = x.shape[0];
    if (idx.length === 0 || rows === 0) return fallback(args);
    for (let i = 0; i < idx.length; i++) if (!(idx[i] >= 0 && idx[i] < rows)) return fallback(args);
    const rowSize = size(x.shape.slice(1));
    const outShape = [...indices.shape, ...x.shape.slice(1)];
    if (x.dtype === 'float32' && rowSize > 0) {
      return output(backend, outShape, (data) => addon.gatherRows(values(backend, x), idx, data, rowSize));
    }
    const src = backend.data.get(x.dataId).values as Float32Array | Int32Array;
    const dst = x.dtype === 'float32' ? new Float32Array(idx.length * rowSize) : new Int32Array(idx.length * rowSize);
    for (let i = 0; i < idx.length; i++) dst.set(src.subarray(idx[i] * rowSize, (idx[i] + 1) * rowSize), i * rowSize);
    return backend.makeTensorInfo(outShape, x.dtype, dst);
  };
}

export function layoutKernels(addon: NativeAddon): NamedKernels {
  return [['Transpose', transposeKernel(addon)], ['GatherV2', gatherKernel(addon)]];
}

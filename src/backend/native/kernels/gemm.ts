/**
 * Matrix products: BatchMatMul and _FusedMatMul (bias [N], linear or ReLU), one sgemm per batch
 * entry with bias and ReLU fused in the same call.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.ts';
import type { GemmLibrary } from '../../options.ts';
import { GEMM_LIBRARIES } from '../op-codes.ts';
import { allFloat, cpuKernel, cpuOf, output, size, values, type NamedKernels } from './support.ts';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** `gemm`: oneDNN's sgemm (the default) or OpenBLAS's (BackendOptions.gemm). */
function matMulKernel(addon: NativeAddon, name: 'BatchMatMul' | '_FusedMatMul', gemm: GemmLibrary): tf.KernelFunc {
  const fallback = cpuKernel(name);
  const library = GEMM_LIBRARIES[gemm];
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const { transposeA, transposeB, activation = 'linear' } = args.attrs as unknown as MatMulAttrs;
    if (!a || !b || !allFloat(a, b, bias) || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    if (preluActivationWeights != null || (activation !== 'linear' && activation !== 'relu')) return fallback(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb || m === 0 || n === 0) return fallback(args);
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const batchShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = size(batchShape);
    if (!((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1))) return fallback(args);
    if (bias != null && (size(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return fallback(args);
    const backend = cpuOf(args);
    return output(backend, [...batchShape, m, n], (data) => addon.gemm(
      values(backend, a), values(backend, b), data, batch, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0,
      bias ? values(backend, bias) : null, activation === 'relu' ? 1 : 0, library,
    ));
  };
}

export function gemmKernels(addon: NativeAddon, gemm: GemmLibrary): NamedKernels {
  return [['BatchMatMul', matMulKernel(addon, 'BatchMatMul', gemm)], ['_FusedMatMul', matMulKernel(addon, '_FusedMatMul', gemm)]];
}

/**
 * sgemm speed of the native addon on the MLP's training shapes, oneDNN against OpenBLAS, one
 * thread, best of 5 rounds of 5 calls (GFLOP/s). Usage: node bin/run-ts.mjs scripts/probes/native-gemm.ts
 */
import { loadNativeAddon } from '../../src/backend/native/addon.ts';
import { GEMM_LIBRARIES } from '../../src/backend/native/op-codes.ts';

const load = loadNativeAddon();
if (!load.ok) throw new Error(load.reason);
const { addon } = load;
addon.setThreads(1);
// [M, N, K, transposeA, transposeB]: forward, weight gradient and input gradient of 784->256 and 256->128 at batch 1024.
const SHAPES = [[1024, 256, 784, 0, 0], [784, 256, 1024, 1, 0], [1024, 784, 256, 0, 1], [1024, 128, 256, 0, 0], [256, 128, 1024, 1, 0], [1024, 256, 128, 0, 1]];
for (const [m, n, k, ta, tb] of SHAPES) {
  const a = Float32Array.from({ length: m * k }, Math.random);
  const b = Float32Array.from({ length: k * n }, Math.random);
  const c = new Float32Array(m * n);
  const gflops = [GEMM_LIBRARIES.onednn, GEMM_LIBRARIES.openblas].map((library) => {
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) addon.gemm(a, b, c, 1, m, n, k, ta, tb, null, 0, library);
      best = Math.min(best, (performance.now() - t0) / 5);
    }
    return ((2 * m * n * k) / best / 1e6).toFixed(0);
  });
  console.log(`${m}x${k}${ta ? 'T' : ''} @ ${k}x${n}${tb ? 'T' : ''}: oneDNN ${gflops[0]} GFLOP/s, OpenBLAS ${gflops[1]} GFLOP/s`);
}

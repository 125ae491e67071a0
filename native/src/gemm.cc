// Matrix products. gemm(a, b, c, batch, M, N, K, transA, transB, bias|null, relu, library):
// c[batch][M][N] = op(a[batch]) op(b[batch]) (+ bias[N]) (ReLU); a batch of 1 in a or b
// broadcasts. `library` is a GemmLibrary code (op-codes.json): oneDNN's sgemm or OpenBLAS's.
#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "args.h"
#include "kernels.h"
#include "op_codes.h"
#include "signal_block.h"

namespace batchlab {

KERNEL(Gemm, "BatchMatMul", 12) {
  SignalBlock no_signals;  // oneDNN inside (see signal_block.h)
  size_t na, nb, nc, nbias;
  float* A = a.f32(0, &na);
  float* B = a.f32(1, &nb);
  float* C = a.f32(2, &nc);
  int64_t batch = a.i64(3), M = a.i64(4), N = a.i64(5), K = a.i64(6);
  bool ta = a.i64(7) != 0, tb = a.i64(8) != 0;
  float* bias = a.f32(9, &nbias, true);
  bool relu = a.i64(10) != 0;
  const bool openblas = a.i64(11) == static_cast<int64_t>(GemmLibrary::openblas);
  need(batch > 0 && M > 0 && N > 0 && K >= 0, "non-positive matrix shape");
  check_len(nc, batch * M * N, "c");
  int64_t sa = M * K, sb = K * N;
  need(static_cast<int64_t>(na) == sa || static_cast<int64_t>(na) == batch * sa, "a has the wrong size");
  need(static_cast<int64_t>(nb) == sb || static_cast<int64_t>(nb) == batch * sb, "b has the wrong size");
  if (bias) need(static_cast<int64_t>(nbias) == N, "bias must have N elements");
  bool a_batched = static_cast<int64_t>(na) == batch * sa && batch > 1;
  bool b_batched = static_cast<int64_t>(nb) == batch * sb && batch > 1;
  for (int64_t i = 0; i < batch; i++) {
    const float* Ai = A + (a_batched ? i * sa : 0);
    const float* Bi = B + (b_batched ? i * sb : 0);
    float* Ci = C + i * M * N;
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    if (K == 0) {
      std::fill(Ci, Ci + M * N, 0.f);
    } else if (openblas) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.f, Ai, lda, Bi, ldb, 0.f, Ci, N);
    } else {
      dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.f, Ai, lda, Bi, ldb, 0.f, Ci, N);
      if (st != dnnl_success) throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(static_cast<int>(st)));
    }
    if (bias || relu) {
      for (int64_t r = 0; r < M; r++) {
        float* row = Ci + r * N;
        if (bias) for (int64_t j = 0; j < N; j++) row[j] += bias[j];
        if (relu) for (int64_t j = 0; j < N; j++) row[j] = row[j] > 0.f ? row[j] : 0.f;
      }
    }
  }
  return undefined_value(a.env);
}

}  // namespace batchlab

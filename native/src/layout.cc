// Layout: transpose(x, out, outer, rows, cols, inner) turns [outer, rows, cols, inner] into
// [outer, cols, rows, inner]; gatherRows(x, indices, out, rowSize) copies row indices[i] of x to
// row i of out (every index must be in range).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "args.h"
#include "kernels.h"

namespace batchlab {

KERNEL(Transpose, "Transpose", 6) {
  F32 x = a.array(0), out = a.array(1);
  int64_t outer = a.i64(2), rows = a.i64(3), cols = a.i64(4), inner = a.i64(5);
  check_len(x.n, outer * rows * cols * inner, "x");
  check_len(out.n, x.n, "out");
  const int64_t T = 32;
  for (int64_t o = 0; o < outer; o++) {
    const float* xo = x + o * rows * cols * inner;
    float* oo = out + o * rows * cols * inner;
    for (int64_t r0 = 0; r0 < rows; r0 += T)
      for (int64_t c0 = 0; c0 < cols; c0 += T) {
        int64_t r1 = std::min(rows, r0 + T), c1 = std::min(cols, c0 + T);
        for (int64_t r = r0; r < r1; r++)
          for (int64_t c = c0; c < c1; c++) {
            if (inner == 1) oo[c * rows + r] = xo[r * cols + c];
            else std::memcpy(oo + (c * rows + r) * inner, xo + (r * cols + c) * inner, sizeof(float) * inner);
          }
      }
  }
  return undefined_value(a.env);
}

KERNEL(GatherRows, "GatherV2", 4) {
  size_t ni;
  F32 x = a.array(0);
  int32_t* idx = a.i32(1, &ni);
  F32 out = a.array(2);
  int64_t row = a.i64(3);
  need(row > 0 && x.n % row == 0, "bad row size");
  check_len(out.n, static_cast<int64_t>(ni) * row, "out");
  int64_t rows = x.n / row;
  for (size_t i = 0; i < ni; i++) need(idx[i] >= 0 && idx[i] < rows, "index out of range");
  // A training batch gathers rows scattered over a dataset far larger than the caches, and the
  // hardware prefetcher only follows a row once it is being read: rows a few indices ahead are
  // requested early, so their misses overlap the copies before them.
  const size_t bytes = sizeof(float) * static_cast<size_t>(row);
  const size_t ahead = bytes <= 16384 ? 4 : 0;
  for (size_t i = 0; i < ni; i++) {
    if (ahead && i + ahead < ni) {
      const char* next = reinterpret_cast<const char*>(x + idx[i + ahead] * row);
      for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(next + b, 0, 0);
    }
    std::memcpy(out + i * row, x + idx[i] * row, bytes);
  }
  return undefined_value(a.env);
}

}  // namespace batchlab

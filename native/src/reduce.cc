// reduce(x, out, outer, mid, inner, op): x is [outer, mid, inner] row-major, out [outer, inner];
// op a ReduceOp (op-codes.json): Sum, Mean or Max. Sum and Mean accumulate each output in float64
// (in row order) and round once at the end, so they can differ from tfjs cpu's float32 sums in
// the last bits; the kernel tests bound the difference. Max propagates NaN.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "args.h"
#include "kernels.h"
#include "op_codes.h"

namespace batchlab {

KERNEL(Reduce, "Reduce", 6) {
  size_t nx, n;
  float* x = a.f32(0, &nx);
  float* out = a.f32(1, &n);
  int64_t outer = a.i64(2), mid = a.i64(3), inner = a.i64(4);
  const ReduceOp mode = static_cast<ReduceOp>(a.i64(5));
  need(outer >= 0 && mid >= 1 && inner >= 0, "bad reduce shape");
  check_len(nx, outer * mid * inner, "x");
  check_len(n, outer * inner, "out");
  const bool mean = mode == ReduceOp::Mean;
  std::vector<double> acc(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; o++) {
    const float* xo = x + o * mid * inner;
    float* oo = out + o * inner;
    if (mode == ReduceOp::Max) {
      for (int64_t j = 0; j < inner; j++) oo[j] = xo[j];
      for (int64_t m = 1; m < mid; m++)
        for (int64_t j = 0; j < inner; j++) {
          float v = xo[m * inner + j];
          if (v > oo[j] || v != v) oo[j] = v;
        }
      continue;
    }
    if (inner == 1) {
      double s = 0;
      for (int64_t m = 0; m < mid; m++) s += xo[m];
      oo[0] = static_cast<float>(mean ? s / mid : s);
      continue;
    }
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t m = 0; m < mid; m++) {
      const float* row = xo + m * inner;
      for (int64_t j = 0; j < inner; j++) acc[j] += row[j];
    }
    for (int64_t j = 0; j < inner; j++) oo[j] = static_cast<float>(mean ? acc[j] / mid : acc[j]);
  }
  return undefined_value(a.env);
}

}  // namespace batchlab

// Max pooling, NHWC: maxPool(x, y, ...geometry) and maxPoolGrad(dy, x, dx, ...geometry), with the
// 12 geometry integers of PoolGeom. Windows take the first maximum (strict >, starting at -inf),
// as tfjs's cpu backend does; padding never wins. The backward recomputes the argmax from x, so
// it needs no workspace from the forward.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "args.h"
#include "kernels.h"

namespace batchlab {
namespace {

struct PoolGeom {
  int64_t n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow;
};

PoolGeom read_pool(Args& a, size_t first) {
  PoolGeom g{};
  int64_t* f[] = {&g.n, &g.h, &g.w, &g.c, &g.kh, &g.kw, &g.sh, &g.sw, &g.pt, &g.pl, &g.oh, &g.ow};
  for (size_t i = 0; i < 12; i++) *f[i] = a.i64(first + i);
  need(g.n > 0 && g.h > 0 && g.w > 0 && g.c > 0 && g.kh > 0 && g.kw > 0 && g.sh > 0 && g.sw > 0 && g.oh > 0 && g.ow > 0, "non-positive pool shape");
  return g;
}

// Calls f(output offset, maxima per channel, input offset of each channel's first max or -1) per
// output pixel. Taps are visited in window order and only a strictly larger value moves the
// argmax, written branch-free so the channel loop vectorises.
template <typename F>
void pool_argmax(const float* x, const PoolGeom& g, F f) {
  std::vector<float> best(g.c);
  std::vector<int64_t> where(g.c);
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t oy = 0; oy < g.oh; oy++)
      for (int64_t ox = 0; ox < g.ow; ox++) {
        float* bp = best.data();
        int64_t* wp = where.data();
        for (int64_t ch = 0; ch < g.c; ch++) {
          bp[ch] = -std::numeric_limits<float>::infinity();
          wp[ch] = -1;
        }
        for (int64_t ky = 0; ky < g.kh; ky++) {
          int64_t iy = oy * g.sh - g.pt + ky;
          if (iy < 0 || iy >= g.h) continue;
          for (int64_t kx = 0; kx < g.kw; kx++) {
            int64_t ix = ox * g.sw - g.pl + kx;
            if (ix < 0 || ix >= g.w) continue;
            int64_t base = ((b * g.h + iy) * g.w + ix) * g.c;
            const float* px = x + base;
            for (int64_t ch = 0; ch < g.c; ch++) {
              float v = px[ch];
              bool take = v > bp[ch] || (wp[ch] < 0 && v != v);
              bp[ch] = take ? v : bp[ch];
              wp[ch] = take ? base + ch : wp[ch];
            }
          }
        }
        int64_t obase = ((b * g.oh + oy) * g.ow + ox) * g.c;
        f(obase, bp, wp);
      }
}

}  // namespace

KERNEL(MaxPool, "MaxPool", 14) {
  F32 x = a.array(0), y = a.array(1);
  PoolGeom g = read_pool(a, 2);
  check_len(x.n, g.n * g.h * g.w * g.c, "x");
  check_len(y.n, g.n * g.oh * g.ow * g.c, "y");
  pool_argmax(x, g, [&](int64_t o, const float* best, const int64_t*) { std::memcpy(y + o, best, sizeof(float) * g.c); });
  return undefined_value(a.env);
}

KERNEL(MaxPoolGrad, "MaxPoolGrad", 15) {
  F32 dy = a.array(0), x = a.array(1), dx = a.array(2);
  PoolGeom g = read_pool(a, 3);
  check_len(x.n, g.n * g.h * g.w * g.c, "x");
  check_len(dx.n, x.n, "dx");
  check_len(dy.n, g.n * g.oh * g.ow * g.c, "dy");
  std::fill(dx.p, dx.p + dx.n, 0.f);
  pool_argmax(x, g, [&](int64_t o, const float*, const int64_t* where) {
    for (int64_t ch = 0; ch < g.c; ch++)
      if (where[ch] >= 0) dx[where[ch]] += dy[o + ch];
  });
  return undefined_value(a.env);
}

}  // namespace batchlab

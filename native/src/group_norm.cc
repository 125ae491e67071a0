// GroupNorm over [N, S, C] with G groups of C/G contiguous channels (batchlab's
// BatchlabGroupNorm kernel pair): statistics per (sample, group) over S x C/G values. Per sample,
// per-channel sums (channel_sums.h: float32 blocks totalled in float64) are folded into the groups.
#include <algorithm>
#include <cmath>
#include <vector>

#include "args.h"
#include "channel_sums.h"
#include "kernels.h"

namespace batchlab {
namespace {

struct GroupGeom {
  size_t n, s, c, g, cg;
};

GroupGeom read_group_geom(Args& a, size_t i, size_t nx, size_t c) {
  int64_t n = a.i64(i), groups = a.i64(i + 1);
  need(n > 0 && groups > 0 && c > 0 && c % static_cast<size_t>(groups) == 0, "groups must divide the channel count");
  need(nx % (static_cast<size_t>(n) * c) == 0 && nx > 0, "x does not have N x S x C elements");
  GroupGeom g{static_cast<size_t>(n), nx / (static_cast<size_t>(n) * c), c, static_cast<size_t>(groups), c / static_cast<size_t>(groups)};
  return g;
}

}  // namespace

// x [N*S*C], gamma [C], beta [C], epsilon, n, groups, y, mean [N*G], rstd [N*G]
KERNEL(GroupNormForward, "BatchlabGroupNorm", 9) {
  F32 x = a.array(0), gamma = a.array(1), beta = a.array(2);
  double eps = a.f64(3);
  size_t c = gamma.n;
  GroupGeom G = read_group_geom(a, 4, x.n, c);
  F32 y = a.array(6), mean = a.array(7), rstd = a.array(8);
  need(beta.n == c && y.n == x.n && mean.n == G.n * G.g && rstd.n == G.n * G.g, "inconsistent group-norm shapes");
  NormSums sums(c);
  const double *s = sums.first.data(), *q = sums.second.data();
  std::vector<float> h(c), sf(c), mf(c), bf(c);
  const double count = static_cast<double>(G.s * G.cg);
  for (size_t n = 0; n < G.n; n++) {
    const float* xn = x + n * G.s * c;
    std::copy(xn, xn + c, h.begin());  // shift: the sample's first row
    sums.shifted(xn, G.s, h.data());
    for (size_t g = 0; g < G.g; g++) {
      size_t k0 = g * G.cg, k1 = k0 + G.cg;
      double total = 0.0;
      for (size_t k = k0; k < k1; k++) total += s[k] + G.s * static_cast<double>(h[k]);
      double mu = total / count;
      double ss = 0.0;
      for (size_t k = k0; k < k1; k++) {
        double e = h[k] - mu;
        ss += q[k] + 2.0 * e * s[k] + G.s * e * e;
      }
      double var = std::max(0.0, ss / count);
      double r = 1.0 / std::sqrt(var + eps);
      mean[n * G.g + g] = static_cast<float>(mu);
      rstd[n * G.g + g] = static_cast<float>(r);
      for (size_t k = k0; k < k1; k++) {
        sf[k] = static_cast<float>(gamma[k] * r);
        mf[k] = mean[n * G.g + g];
        bf[k] = beta[k];
      }
    }
    float* yn = y + n * G.s * c;
    for (size_t r = 0; r < G.s; r++) {
      const float* xr = xn + r * c;
      float* yr = yn + r * c;
      // (x - mean) first: with a tiny group variance, x * scale + offset would cancel badly.
      for (size_t k = 0; k < c; k++) yr[k] = (xr[k] - mf[k]) * sf[k] + bf[k];
    }
  }
  return undefined_value(a.env);
}

// dy, x, gamma, mean [N*G], rstd [N*G], dmean|null, drstd|null, n, groups, dx, dgamma, dbeta.
// Per (sample, group), with M = S*C/G, A = sum gamma*dy, B = sum gamma*dy*(x - mu):
//   dx = rstd*gamma*dy + b*(x - mu) + d,  b = -(rstd^3 (B + drstd)) / M,  d = (dmean - rstd A) / M.
KERNEL(GroupNormBackward, "BatchlabGroupNormGrad", 12) {
  F32 dy = a.array(0), x = a.array(1), gamma = a.array(2), mean = a.array(3), rstd = a.array(4);
  F32 dmean = a.array(5, true), drstd = a.array(6, true);
  size_t c = gamma.n;
  GroupGeom G = read_group_geom(a, 7, x.n, c);
  F32 dx = a.array(9), dgamma = a.array(10), dbeta = a.array(11);
  size_t ng = G.n * G.g;
  need(dy.n == x.n && dx.n == x.n && mean.n == ng && rstd.n == ng && dgamma.n == c && dbeta.n == c, "inconsistent group-norm shapes");
  need((!dmean || dmean.n == ng) && (!drstd || drstd.n == ng), "statistics gradients must have N x G elements");
  NormSums sums(c);
  const double *gs = sums.first.data(), *ps = sums.second.data();
  std::vector<double> dg(c, 0.0), db(c, 0.0);
  std::vector<float> mu(c), af(c), bf(c), df(c);
  const double count = static_cast<double>(G.s * G.cg);
  for (size_t n = 0; n < G.n; n++) {
    const float* xn = x + n * G.s * c;
    const float* dyn = dy + n * G.s * c;
    for (size_t k = 0; k < c; k++) mu[k] = mean[n * G.g + k / G.cg];
    const float* mp = mu.data();
    sums.gradients(dyn, xn, G.s, mp);
    for (size_t g = 0; g < G.g; g++) {
      size_t k0 = g * G.cg, k1 = k0 + G.cg, i = n * G.g + g;
      double r = rstd[i];
      double A = 0.0, B = 0.0;
      for (size_t k = k0; k < k1; k++) {
        A += gamma[k] * gs[k];
        B += gamma[k] * ps[k];
        dg[k] += ps[k] * r;
        db[k] += gs[k];
      }
      double b = -(r * r * r * (B + (drstd ? drstd[i] : 0.0))) / count;
      double d = ((dmean ? dmean[i] : 0.0) - r * A) / count;
      for (size_t k = k0; k < k1; k++) {
        af[k] = static_cast<float>(r * gamma[k]);
        bf[k] = static_cast<float>(b);
        df[k] = static_cast<float>(d);
      }
    }
    float* dxn = dx + n * G.s * c;
    for (size_t r = 0; r < G.s; r++) {
      const float* dr = dyn + r * c;
      const float* xr = xn + r * c;
      float* o = dxn + r * c;
      for (size_t k = 0; k < c; k++) o[k] = af[k] * dr[k] + bf[k] * (xr[k] - mp[k]) + df[k];
    }
  }
  for (size_t k = 0; k < c; k++) {
    dgamma[k] = static_cast<float>(dg[k]);
    dbeta[k] = static_cast<float>(db[k]);
  }
  return undefined_value(a.env);
}

}  // namespace batchlab

// Training-mode batch norm over [rows, C] (batchlab's BatchlabBatchNormTrain kernel pair), the
// same math as src/models/batch-norm-math.ts: sums about the first row (forward) and
// dx = a*dy + b*x + d per channel (backward), with channel_sums.h's float32 blocks totalled in
// float64.
//   batchNormForward(x, gamma, beta, epsilon, y, mean, variance)
//   batchNormBackward(dy, x, gamma, mean, variance, epsilon, dmean|null, dvariance|null, dx, dgamma, dbeta)
// and inference-mode batch norm (tfjs's FusedBatchNorm, moving statistics) over [rows, C]:
//   batchNormInference(x, mean, variance, scale, offset, epsilon, y)
#include <algorithm>
#include <cmath>
#include <vector>

#include "args.h"
#include "channel_sums.h"
#include "kernels.h"

namespace batchlab {

KERNEL(BatchNormForward, "BatchlabBatchNormTrain", 7) {
  size_t nx, c, ny, nm, nv, nb;
  float* x = a.f32(0, &nx);
  float* gamma = a.f32(1, &c);
  float* beta = a.f32(2, &nb);
  double eps = a.f64(3);
  float* y = a.f32(4, &ny);
  float* mean = a.f32(5, &nm);
  float* var = a.f32(6, &nv);
  need(c > 0 && nx % c == 0 && nb == c && nm == c && nv == c && ny == nx, "inconsistent batch-norm shapes");
  size_t rows = nx / c;
  need(rows > 0, "no rows");
  std::vector<double> s(c, 0.0), q(c, 0.0), scale(c), off(c);
  std::vector<float> shift(x, x + c), sf32(c), qf32(c);
  const float* hp = shift.data();
  channel_sums(rows, c, s.data(), q.data(), sf32.data(), qf32.data(), [&](size_t r, float* sp, float* qp) {
    const float* xr = x + r * c;
    for (size_t k = 0; k < c; k++) {
      float d = xr[k] - hp[k];
      sp[k] += d;
      qp[k] += d * d;
    }
  });
  for (size_t k = 0; k < c; k++) {
    double m1 = s[k] / rows;
    double v = std::max(0.0, q[k] / rows - m1 * m1);
    mean[k] = static_cast<float>(shift[k] + m1);
    var[k] = static_cast<float>(v);
    scale[k] = gamma[k] / std::sqrt(static_cast<double>(var[k]) + eps);
    off[k] = beta[k] - static_cast<double>(mean[k]) * scale[k];
  }
  std::vector<float> sf(scale.begin(), scale.end()), of(off.begin(), off.end());
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    for (size_t k = 0; k < c; k++) yr[k] = xr[k] * sf[k] + of[k];
  }
  return undefined_value(a.env);
}

KERNEL(BatchNormBackward, "BatchlabBatchNormTrainGrad", 11) {
  size_t ndy, nx, c, nm, nv, ndm, ndv, ndx, ndg, ndb;
  float* dy = a.f32(0, &ndy);
  float* x = a.f32(1, &nx);
  float* gamma = a.f32(2, &c);
  float* mean = a.f32(3, &nm);
  float* var = a.f32(4, &nv);
  double eps = a.f64(5);
  float* dmean = a.f32(6, &ndm, true);
  float* dvar = a.f32(7, &ndv, true);
  float* dx = a.f32(8, &ndx);
  float* dgamma = a.f32(9, &ndg);
  float* dbeta = a.f32(10, &ndb);
  need(c > 0 && nx % c == 0 && ndy == nx && ndx == nx && nm == c && nv == c && ndg == c && ndb == c, "inconsistent batch-norm shapes");
  need((!dmean || ndm == c) && (!dvar || ndv == c), "statistics gradients must have C elements");
  size_t rows = nx / c;
  std::vector<double> g(c, 0.0), p(c, 0.0);
  std::vector<float> gf32(c), pf32(c);
  channel_sums(rows, c, g.data(), p.data(), gf32.data(), pf32.data(), [&](size_t r, float* gp, float* pp) {
    const float* dr = dy + r * c;
    const float* xr = x + r * c;
    for (size_t k = 0; k < c; k++) {
      gp[k] += dr[k];
      pp[k] += dr[k] * (xr[k] - mean[k]);
    }
  });
  std::vector<float> af(c), bf(c), df(c);
  for (size_t k = 0; k < c; k++) {
    double inv = 1.0 / std::sqrt(static_cast<double>(var[k]) + eps);
    double ak = gamma[k] * inv;
    double bk = (-ak * inv * inv * p[k]) / rows;
    double dk = (-ak * g[k]) / rows;
    if (dvar) bk += (2.0 * dvar[k]) / rows;
    if (dmean) dk += dmean[k] / rows;
    af[k] = static_cast<float>(ak);
    bf[k] = static_cast<float>(bk);
    df[k] = static_cast<float>(dk - bk * mean[k]);
    dgamma[k] = static_cast<float>(p[k] * inv);
    dbeta[k] = static_cast<float>(g[k]);
  }
  for (size_t r = 0; r < rows; r++) {
    const float* dr = dy + r * c;
    const float* xr = x + r * c;
    float* o = dx + r * c;
    for (size_t k = 0; k < c; k++) o[k] = af[k] * dr[k] + bf[k] * xr[k] + df[k];
  }
  return undefined_value(a.env);
}

// The same arithmetic as tfjs's cpu FusedBatchNorm, so results are bit-identical to it:
// offset + (x - mean) * scale / sqrt(variance + epsilon), each element in float64 from float32
// inputs, rounded once to float32 (no reciprocal, no contraction into FMAs).
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
KERNEL(BatchNormInference, "FusedBatchNorm", 7) {
  size_t nx, c, nv, ns, no, ny;
  float* x = a.f32(0, &nx);
  float* mean = a.f32(1, &c);
  float* var = a.f32(2, &nv);
  float* scale = a.f32(3, &ns);
  float* offset = a.f32(4, &no);
  double eps = a.f64(5);
  float* y = a.f32(6, &ny);
  need(c > 0 && nx % c == 0 && nv == c && ns == c && no == c && ny == nx, "inconsistent batch-norm shapes");
  size_t rows = nx / c;
  std::vector<double> m(c), s(c), o(c), d(c);
  for (size_t k = 0; k < c; k++) {
    m[k] = mean[k];
    s[k] = scale[k];
    o[k] = offset[k];
    d[k] = std::sqrt(static_cast<double>(var[k]) + eps);
  }
  const double *mp = m.data(), *sp = s.data(), *op = o.data(), *dp = d.data();
#pragma omp parallel for schedule(static) if (nx > (1 << 16))
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    for (size_t k = 0; k < c; k++) yr[k] = static_cast<float>(op[k] + (static_cast<double>(xr[k]) - mp[k]) * sp[k] / dp[k]);
  }
  return undefined_value(a.env);
}
#pragma GCC pop_options

}  // namespace batchlab

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
  F32 x = a.array(0), gamma = a.array(1), beta = a.array(2);
  double eps = a.f64(3);
  F32 y = a.array(4), mean = a.array(5), var = a.array(6);
  size_t c = gamma.n;
  need(c > 0 && x.n % c == 0 && beta.n == c && mean.n == c && var.n == c && y.n == x.n, "inconsistent batch-norm shapes");
  size_t rows = x.n / c;
  need(rows > 0, "no rows");
  std::vector<double> scale(c), off(c);
  std::vector<float> shift(x.p, x.p + c);
  NormSums sums(c);
  sums.shifted(x, rows, shift.data());
  const double *s = sums.first.data(), *q = sums.second.data();
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
  F32 dy = a.array(0), x = a.array(1), gamma = a.array(2), mean = a.array(3), var = a.array(4);
  double eps = a.f64(5);
  F32 dmean = a.array(6, true), dvar = a.array(7, true);
  F32 dx = a.array(8), dgamma = a.array(9), dbeta = a.array(10);
  size_t c = gamma.n;
  need(c > 0 && x.n % c == 0 && dy.n == x.n && dx.n == x.n && mean.n == c && var.n == c && dgamma.n == c && dbeta.n == c, "inconsistent batch-norm shapes");
  need((!dmean || dmean.n == c) && (!dvar || dvar.n == c), "statistics gradients must have C elements");
  size_t rows = x.n / c;
  NormSums sums(c);
  sums.gradients(dy, x, rows, mean);
  const double *g = sums.first.data(), *p = sums.second.data();
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
  F32 x = a.array(0), mean = a.array(1), var = a.array(2), scale = a.array(3), offset = a.array(4);
  double eps = a.f64(5);
  F32 y = a.array(6);
  size_t nx = x.n, c = mean.n;
  need(c > 0 && nx % c == 0 && var.n == c && scale.n == c && offset.n == c && y.n == nx, "inconsistent batch-norm shapes");
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

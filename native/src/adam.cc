// The Adam optimizer: adamUpdate, one variable's whole Adam update in one pass (the
// BatchlabAdamUpdate kernel of the native backend).
#include <cmath>
#include <cstddef>

#include "args.h"
#include "kernels.h"

namespace batchlab {

// adamUpdate(w, g, m, s, wOut, mOut, sOut, lr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon,
// weightDecay, correction1, correction2): one pass of Adam for one variable, the same float32
// operations in the same order as the optimizer's op chain (src/train/optimizers.ts), each product,
// quotient, square root and sum rounded on its own (no contraction):
//   g' = g + w*weightDecay (when weightDecay > 0);
//   m' = m*beta1 + g'*(1-beta1);  s' = s*beta2 + (g'*g')*(1-beta2);
//   w' = w - ((m'/c1) / (sqrt(s'/c2) + epsilon))*lr.
// Every scalar arrives as a double and is rounded to float32 here, as tfjs rounds the op chain's
// scalars; 1-beta1 and 1-beta2 are computed by the caller in double, as the op chain does.
// Each output may be its input (in place): every element is read before it is written and by no
// other element.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
KERNEL(AdamUpdate, "adamUpdate", 16) {
  const F32 w = a.array(0), g = a.array(1), m = a.array(2), s = a.array(3);
  const F32 wo = a.array(4), mo = a.array(5), so = a.array(6);
  const float lr = static_cast<float>(a.f64(7));
  const float b1 = static_cast<float>(a.f64(8));
  const float omb1 = static_cast<float>(a.f64(9));
  const float b2 = static_cast<float>(a.f64(10));
  const float omb2 = static_cast<float>(a.f64(11));
  const float eps = static_cast<float>(a.f64(12));
  const float wd = static_cast<float>(a.f64(13));
  const float c1 = static_cast<float>(a.f64(14));
  const float c2 = static_cast<float>(a.f64(15));
  const size_t nw = w.n;
  need(g.n == nw && m.n == nw && s.n == nw, "weight, gradient and moment sizes differ");
  need(wo.n == nw && mo.n == nw && so.n == nw, "output sizes differ from the weight's");
  const bool decay = wd > 0.f;
  // No element reads another's output, so the loop is vectorized even when outputs are inputs
  // (too many arrays for the compiler's own overlap checks).
#pragma omp simd
  for (size_t i = 0; i < nw; i++) {
    float gi = g[i];
    if (decay) {
      float d = w[i] * wd;
      gi = gi + d;
    }
    float m1 = m[i] * b1;
    float m2 = gi * omb1;
    float mi = m1 + m2;
    float s1 = s[i] * b2;
    float sq = gi * gi;
    float s2 = sq * omb2;
    float si = s1 + s2;
    float mhat = mi / c1;
    float shat = si / c2;
    float root = std::sqrt(shat);
    float denom = root + eps;
    float ratio = mhat / denom;
    float dw = ratio * lr;
    float wi = w[i] - dw;
    mo[i] = mi;
    so[i] = si;
    wo[i] = wi;
  }
  return undefined_value(a.env);
}
#pragma GCC pop_options

}  // namespace batchlab

// The optimizer: sgdUpdate, one variable's whole SGD/momentum update in one pass (the
// BatchlabSgdUpdate kernel of the native backend).
#include <cstddef>

#include "args.h"
#include "kernels.h"

namespace batchlab {

// sgdUpdate(w, g, velocity|null, wOut, velocityOut|null, lr, momentum, weightDecay, nesterov): one
// pass of SGD for one variable, the same float32 operations in the same order as the optimizer's
// op chain (src/train/optimizers.ts), each product and sum rounded on its own (no contraction):
//   g' = g + w*weightDecay (when weightDecay > 0);  v' = v*momentum + g';
//   step = nesterov ? g' + v'*momentum : v' (or g' without momentum);  w' = w - step*lr.
// Each output may be its input (wOut == w, velocityOut == velocity: the in-place update the backend
// uses when it is safe): every element is read before it is written and by no other element.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
KERNEL(SgdUpdate, "SgdUpdate", 9) {
  size_t nw, ng, nv = 0, nwo, nvo = 0;
  const float* w = a.f32(0, &nw);
  const float* g = a.f32(1, &ng);
  const float* v = a.f32(2, &nv, true);
  float* wo = a.f32(3, &nwo);
  float* vo = a.f32(4, &nvo, true);
  const float lr = static_cast<float>(a.f64(5));
  const float m = static_cast<float>(a.f64(6));
  const float wd = static_cast<float>(a.f64(7));
  const bool nesterov = a.i64(8) != 0;
  need(nw == ng && nw == nwo, "weight, gradient and output sizes differ");
  need((v == nullptr) == (vo == nullptr), "velocity and its output must both be given or both be null");
  need(v == nullptr || (nv == nw && nvo == nw), "velocity sizes differ from the weight's");
  const bool decay = wd > 0.f;
  for (size_t i = 0; i < nw; i++) {
    float gi = g[i];
    if (decay) {
      float d = w[i] * wd;
      gi = gi + d;
    }
    float step = gi;
    if (v != nullptr) {
      float mv = v[i] * m;
      float vi = mv + gi;
      vo[i] = vi;
      if (nesterov) {
        float look = vi * m;
        step = gi + look;
      } else {
        step = vi;
      }
    }
    float dw = step * lr;
    wo[i] = w[i] - dw;
  }
  return undefined_value(a.env);
}
#pragma GCC pop_options

}  // namespace batchlab

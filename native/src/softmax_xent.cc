// Softmax cross-entropy and its gradient (the native backend's BatchlabSoftmaxCrossEntropy and
// ...Grad; src/train/softmax-cross-entropy.ts), one call each way over [rows, classes] where
// tfjs's tf.losses.softmaxCrossEntropy and the mean over the batch run about twelve kernels
// forward and nine backward. Each step is the float operation the native backend's own kernels
// run for that composition, in the same order, so a run's numbers do not change:
//   mx = max_j x_j;  se = float(sum_j (double) exp(x_j - mx));  lse = mx + log(se);
//   loss = float(sum_j (double) -((x_j - lse) * y_j))       (the Sum kernel: float64, row order);
//   mean = float((sum_r (double) loss_r) / rows), sum = float(sum_r (double) loss_r);
//   dx_j = dyRow * (exp(x_j - lse) - y_j), dyRow = dy / rows (float) for the mean, dy for the
//   sum, dy_r per row for none.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "args.h"
#include "kernels.h"
#include "op_codes.h"

namespace batchlab {

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

// softmaxXent(logits, labels, loss, lse, rows, classes, reduction): loss has `rows` elements
// (none) or one; lse `rows`.
KERNEL(SoftmaxXent, "softmaxXent", 7) {
  const F32 x = a.array(0), y = a.array(1), loss = a.array(2), lse = a.array(3);
  const int64_t rows = a.i64(4), classes = a.i64(5);
  const XentReduction mode = static_cast<XentReduction>(a.i64(6));
  need(rows >= 1 && classes >= 1, "bad softmax cross-entropy shape");
  check_len(x.n, rows * classes, "logits");
  check_len(y.n, rows * classes, "labels");
  check_len(lse.n, rows, "lse");
  check_len(loss.n, mode == XentReduction::none ? rows : 1, "loss");
  double total = 0;
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * classes;
    const float* yr = y + r * classes;
    float mx = xr[0];
    for (int64_t j = 1; j < classes; j++) {
      const float v = xr[j];
      if (v > mx || v != v) mx = v;
    }
    double se = 0;
    for (int64_t j = 0; j < classes; j++) {
      const float shifted = xr[j] - mx;
      se += std::exp(shifted);
    }
    const float log_se = std::log(static_cast<float>(se));
    const float l = mx + log_se;
    double cost = 0;
    for (int64_t j = 0; j < classes; j++) {
      const float log_p = xr[j] - l;
      const float term = log_p * yr[j];
      cost += -term;
    }
    const float row_loss = static_cast<float>(cost);
    lse[r] = l;
    if (mode == XentReduction::none) loss[r] = row_loss;
    total += row_loss;
  }
  if (mode == XentReduction::mean) loss[0] = static_cast<float>(total / static_cast<double>(rows));
  if (mode == XentReduction::sum) loss[0] = static_cast<float>(total);
  return undefined_value(a.env);
}

// softmaxXentGrad(dy, logits, labels, lse, dlogits, rows, classes, reduction): dy has `rows`
// elements (none) or one.
KERNEL(SoftmaxXentGrad, "softmaxXentGrad", 8) {
  const F32 dy = a.array(0), x = a.array(1), y = a.array(2), lse = a.array(3), dx = a.array(4);
  const int64_t rows = a.i64(5), classes = a.i64(6);
  const XentReduction mode = static_cast<XentReduction>(a.i64(7));
  need(rows >= 1 && classes >= 1, "bad softmax cross-entropy shape");
  check_len(x.n, rows * classes, "logits");
  check_len(y.n, rows * classes, "labels");
  check_len(dx.n, rows * classes, "dlogits");
  check_len(lse.n, rows, "lse");
  check_len(dy.n, mode == XentReduction::none ? rows : 1, "dy");
  const float per_row = mode == XentReduction::mean ? dy[0] / static_cast<float>(rows) : dy[0];
  for (int64_t r = 0; r < rows; r++) {
    const float d = mode == XentReduction::none ? dy[r] : per_row;
    const float l = lse[r];
    const float* xr = x + r * classes;
    const float* yr = y + r * classes;
    float* out = dx + r * classes;
    for (int64_t j = 0; j < classes; j++) {
      const float log_p = xr[j] - l;
      const float p = std::exp(log_p);
      const float diff = p - yr[j];
      out[j] = d * diff;
    }
  }
  return undefined_value(a.env);
}

#pragma GCC pop_options

}  // namespace batchlab

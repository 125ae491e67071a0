// Per-channel sums over rows of [rows, C] values, shared by batch norm and group norm: sums over
// blocks of kRowBlock rows run in float32 (so the channel loop vectorises) and are totalled in
// float64.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace batchlab {

constexpr size_t kRowBlock = 64;

// s1[k], s2[k] = the sums over `rows` rows of what body(r, b1, b2) adds into the float32 block
// sums b1[k], b2[k] (two sums at once, e.g. of x and x^2); b1, b2 are C-element scratch.
template <typename F>
void channel_sums(size_t rows, size_t c, double* s1, double* s2, float* b1, float* b2, F&& body) {
  std::fill(s1, s1 + c, 0.0);
  std::fill(s2, s2 + c, 0.0);
  for (size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
    size_t r1 = std::min(rows, r0 + kRowBlock);
    std::fill(b1, b1 + c, 0.f);
    std::fill(b2, b2 + c, 0.f);
    for (size_t r = r0; r < r1; r++) body(r, b1, b2);
    for (size_t k = 0; k < c; k++) {
      s1[k] += b1[k];
      s2[k] += b2[k];
    }
  }
}

// The two per-channel sums a norm needs, over rows of [rows, C] values, with their scratch.
struct NormSums {
  std::vector<double> first, second;
  std::vector<float> block1, block2;
  explicit NormSums(size_t c) : first(c), second(c), block1(c), block2(c) {}

  // first, second = sums of d and d^2, d = x - shift per channel (float32): the sums a mean and
  // variance come from, shifted by a row of x so that they do not cancel.
  void shifted(const float* x, size_t rows, const float* shift) {
    size_t c = first.size();
    channel_sums(rows, c, first.data(), second.data(), block1.data(), block2.data(), [&](size_t r, float* sp, float* qp) {
      const float* xr = x + r * c;
      for (size_t k = 0; k < c; k++) {
        float d = xr[k] - shift[k];
        sp[k] += d;
        qp[k] += d * d;
      }
    });
  }

  // first, second = sums of dy and dy * (x - mean) per channel: the sums of a norm's backward.
  void gradients(const float* dy, const float* x, size_t rows, const float* mean) {
    size_t c = first.size();
    channel_sums(rows, c, first.data(), second.data(), block1.data(), block2.data(), [&](size_t r, float* gp, float* pp) {
      const float* dr = dy + r * c;
      const float* xr = x + r * c;
      for (size_t k = 0; k < c; k++) {
        gp[k] += dr[k];
        pp[k] += dr[k] * (xr[k] - mean[k]);
      }
    });
  }
};

}  // namespace batchlab

// Per-channel sums over rows of [rows, C] values, shared by batch norm and group norm: sums over
// blocks of kRowBlock rows run in float32 (so the channel loop vectorises) and are totalled in
// float64.
#pragma once

#include <algorithm>
#include <cstddef>

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

}  // namespace batchlab

// Element-wise ops. binary(x, y, out, op, shape|null, xStrides|null, yStrides|null): without
// shape arguments the smaller operand repeats along the larger (same shape, a scalar, or a
// suffix such as a bias row); with them, any broadcast by strides. unary(x, out, op, alpha).
// The op codes are BinaryOp and UnaryOp (op-codes.json).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "kernels.h"
#include "op_codes.h"

namespace batchlab {
namespace {

template <typename F>
void binary_loop(const float* x, size_t nx, const float* y, size_t ny, float* out, size_t n, F f) {
  if (nx == n && ny == n) {
    for (size_t i = 0; i < n; i++) out[i] = f(x[i], y[i]);
  } else if (nx == n) {
    for (size_t base = 0; base < n; base += ny)
      for (size_t j = 0; j < ny; j++) out[base + j] = f(x[base + j], y[j]);
  } else {
    for (size_t base = 0; base < n; base += nx)
      for (size_t j = 0; j < nx; j++) out[base + j] = f(x[j], y[base + j]);
  }
}

// General broadcast: out has `shape`; xs/ys are the operands' element strides per output axis
// (0 where an operand is broadcast along it).
template <typename F>
void broadcast_loop(const float* x, const float* y, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& xs,
                    const std::vector<int64_t>& ys, F f) {
  size_t r = shape.size();
  int64_t len = shape[r - 1], sx = xs[r - 1], sy = ys[r - 1];
  int64_t rows = 1;
  for (size_t k = 0; k + 1 < r; k++) rows *= shape[k];
  std::vector<int64_t> idx(r, 0);
  int64_t ox = 0, oy = 0;
  for (int64_t row = 0; row < rows; row++) {
    float* o = out + row * len;
    if (sx == 1 && sy == 1) for (int64_t j = 0; j < len; j++) o[j] = f(x[ox + j], y[oy + j]);
    else if (sx == 1) for (int64_t j = 0; j < len; j++) o[j] = f(x[ox + j], y[oy]);
    else if (sy == 1) for (int64_t j = 0; j < len; j++) o[j] = f(x[ox], y[oy + j]);
    else for (int64_t j = 0; j < len; j++) o[j] = f(x[ox + j * sx], y[oy + j * sy]);
    for (int64_t k = static_cast<int64_t>(r) - 2; k >= 0; k--) {  // odometer over the leading axes
      idx[k]++;
      ox += xs[k];
      oy += ys[k];
      if (idx[k] < shape[k]) break;
      ox -= xs[k] * shape[k];
      oy -= ys[k] * shape[k];
      idx[k] = 0;
    }
  }
}

template <typename F>
void run_binary(Args& a, const float* x, size_t nx, const float* y, size_t ny, float* out, size_t n, F f) {
  if (a.is_null(4)) {
    need((nx == n && n % ny == 0) || (ny == n && n % nx == 0), "operands do not broadcast by suffix");
    binary_loop(x, nx, y, ny, out, n, f);
    return;
  }
  std::vector<int64_t> shape = a.int_list(4), xs = a.int_list(5), ys = a.int_list(6);
  need(!shape.empty() && xs.size() == shape.size() && ys.size() == shape.size(), "shape and strides differ in rank");
  int64_t total = 1, ex = 0, ey = 0;
  for (size_t k = 0; k < shape.size(); k++) {
    need(shape[k] > 0 && xs[k] >= 0 && ys[k] >= 0, "bad broadcast shape");
    total *= shape[k];
    ex += xs[k] * (shape[k] - 1);
    ey += ys[k] * (shape[k] - 1);
  }
  check_len(n, total, "out");
  need(ex < static_cast<int64_t>(nx) && ey < static_cast<int64_t>(ny), "strides run past an operand");
  broadcast_loop(x, y, out, shape, xs, ys, f);
}

}  // namespace

KERNEL(Binary, "Binary", 7) {
  F32 x = a.array(0), y = a.array(1), out = a.array(2);
  int64_t op = a.i64(3);
  size_t nx = x.n, ny = y.n, n = out.n;
  need(nx > 0 && ny > 0 && n > 0, "empty operand");
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::Add: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p + q; }); break;
    case BinaryOp::Sub: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p - q; }); break;
    case BinaryOp::Multiply: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p * q; }); break;
    case BinaryOp::RealDiv: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p / q; }); break;
    case BinaryOp::Maximum: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return (p != p || q != q) ? NAN : (p > q ? p : q); }); break;
    case BinaryOp::Minimum: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return (p != p || q != q) ? NAN : (p < q ? p : q); }); break;
    case BinaryOp::SquaredDifference: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return (p - q) * (p - q); }); break;
    default: throw std::runtime_error("unknown binary op " + std::to_string(op));
  }
  return undefined_value(a.env);
}

// Step is ReLU's gradient: x > 0 ? 1 : alpha; NaN stays NaN (so do Relu and Relu6).
KERNEL(Unary, "Unary", 4) {
  size_t nx, n;
  float* x = a.f32(0, &nx);
  float* out = a.f32(1, &n);
  int64_t op = a.i64(2);
  float alpha = static_cast<float>(a.f64(3));
  need(nx == n, "output size differs from input");
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::Relu: for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.f ? x[i] : 0.f; for (size_t i = 0; i < n; i++) if (x[i] != x[i]) out[i] = x[i]; break;
    case UnaryOp::Step: for (size_t i = 0; i < n; i++) out[i] = x[i] != x[i] ? NAN : (x[i] > 0.f ? 1.f : alpha); break;
    case UnaryOp::Neg: for (size_t i = 0; i < n; i++) out[i] = -x[i]; break;
    case UnaryOp::Square: for (size_t i = 0; i < n; i++) out[i] = x[i] * x[i]; break;
    case UnaryOp::Exp: for (size_t i = 0; i < n; i++) out[i] = std::exp(x[i]); break;
    case UnaryOp::Log: for (size_t i = 0; i < n; i++) out[i] = std::log(x[i]); break;
    case UnaryOp::Sqrt: for (size_t i = 0; i < n; i++) out[i] = std::sqrt(x[i]); break;
    case UnaryOp::Rsqrt: for (size_t i = 0; i < n; i++) out[i] = 1.f / std::sqrt(x[i]); break;
    case UnaryOp::Relu6: for (size_t i = 0; i < n; i++) out[i] = x[i] != x[i] ? x[i] : std::min(std::max(x[i], 0.f), 6.f); break;
    case UnaryOp::Abs: for (size_t i = 0; i < n; i++) out[i] = std::fabs(x[i]); break;
    default: throw std::runtime_error("unknown unary op " + std::to_string(op));
  }
  return undefined_value(a.env);
}

}  // namespace batchlab

// batchlab's native CPU kernels: a Node-API addon over oneDNN (convolutions, sgemm) and
// OpenBLAS (sgemm), plus plain loops for element-wise ops, reductions, pooling and batch norm.
//
// Every kernel works on Float32Arrays that JavaScript allocated (inputs and outputs alike), so
// the addon owns no tensor memory; the only state it keeps is a cache of oneDNN primitives keyed
// by their shapes. Every entry point catches C++ exceptions (dnnl::error included) and turns them
// into a JavaScript Error naming the op, so a native failure never takes Node down.
#include <node_api.h>

#include <cblas.h>
#include <malloc.h>
#include <omp.h>
#include <pthread.h>

#include <csignal>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace {

// ---------------------------------------------------------------------------------------------
// Argument helpers: a call is (op-specific arrays and integers); a wrong type throws.

struct Args {
  napi_env env;
  std::vector<napi_value> v;
  const char* op;

  Args(napi_env e, napi_callback_info info, const char* name, size_t expected) : env(e), op(name) {
    size_t argc = expected;
    v.resize(expected);
    if (napi_get_cb_info(env, info, &argc, v.data(), nullptr, nullptr) != napi_ok) throw std::runtime_error("cannot read arguments");
    if (argc < expected) throw std::runtime_error("expected " + std::to_string(expected) + " arguments, got " + std::to_string(argc));
  }

  // A Float32Array (or null when `nullable`); `len` receives its element count.
  float* f32(size_t i, size_t* len = nullptr, bool nullable = false) {
    napi_valuetype t;
    napi_typeof(env, v[i], &t);
    if (nullable && (t == napi_null || t == napi_undefined)) {
      if (len) *len = 0;
      return nullptr;
    }
    bool is_ta = false;
    napi_is_typedarray(env, v[i], &is_ta);
    if (!is_ta) throw std::runtime_error("argument " + std::to_string(i) + " must be a Float32Array");
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value ab;
    size_t offset;
    napi_get_typedarray_info(env, v[i], &type, &length, &data, &ab, &offset);
    if (type != napi_float32_array) throw std::runtime_error("argument " + std::to_string(i) + " must be a Float32Array");
    if (len) *len = length;
    return static_cast<float*>(data);
  }

  // An Int32Array; `len` receives its element count.
  int32_t* i32(size_t i, size_t* len) {
    bool is_ta = false;
    napi_is_typedarray(env, v[i], &is_ta);
    napi_typedarray_type type = napi_float32_array;
    size_t length = 0;
    void* data = nullptr;
    if (is_ta) napi_get_typedarray_info(env, v[i], &type, &length, &data, nullptr, nullptr);
    if (!is_ta || type != napi_int32_array) throw std::runtime_error("argument " + std::to_string(i) + " must be an Int32Array");
    *len = length;
    return static_cast<int32_t*>(data);
  }

  int64_t i64(size_t i) {
    int64_t out;
    if (napi_get_value_int64(env, v[i], &out) != napi_ok) throw std::runtime_error("argument " + std::to_string(i) + " must be a number");
    return out;
  }

  double f64(size_t i) {
    double out;
    if (napi_get_value_double(env, v[i], &out) != napi_ok) throw std::runtime_error("argument " + std::to_string(i) + " must be a number");
    return out;
  }
};

void need(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(what);
}

// Wraps a kernel body so that no exception crosses into Node: it becomes a JS Error "op: why".
template <typename F>
napi_value guarded(napi_env env, const char* op, F&& body) {
  try {
    return body();
  } catch (const dnnl::error& e) {
    std::string msg = std::string("batchlab native ") + op + ": oneDNN error " + std::to_string(static_cast<int>(e.status)) + ": " + e.what();
    napi_throw_error(env, nullptr, msg.c_str());
  } catch (const std::exception& e) {
    std::string msg = std::string("batchlab native ") + op + ": " + e.what();
    napi_throw_error(env, nullptr, msg.c_str());
  } catch (...) {
    std::string msg = std::string("batchlab native ") + op + ": unknown native error";
    napi_throw_error(env, nullptr, msg.c_str());
  }
  return nullptr;
}

napi_value undefined_value(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// oneDNN 2.6's JIT sgemm kernels (dnnl_sgemm, and primitives built on them) point rsp at a heap
// workspace while they run, so a signal delivered to that thread meanwhile has its frame written
// into the heap and corrupts it (oneDNN issue 4845, fixed in releases after Debian's). Node
// receives signals: SIGPROF from --cpu-prof (which aborted an MLP step with "corrupted size vs.
// prev_size" within seconds), SIGCHLD when a child exits, SIGINT. Kernels that call oneDNN
// therefore block asynchronous signals on the calling thread for the call's duration; pending ones
// are delivered when it returns. OpenMP's worker threads are created inside such calls (and by
// setThreads, under the same block), so they inherit the blocked mask. Faults stay unblocked.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t all;
    sigfillset(&all);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&all, s);
    pthread_sigmask(SIG_BLOCK, &all, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_;
};

#define KERNEL(fn_name, op_name, argc)                                 \
  napi_value fn_name##_body(Args& a);                                  \
  napi_value fn_name(napi_env env, napi_callback_info info) {          \
    return guarded(env, op_name, [&]() {                               \
      Args a(env, info, op_name, argc);                                \
      return fn_name##_body(a);                                        \
    });                                                                \
  }                                                                    \
  napi_value fn_name##_body(Args& a)

// ---------------------------------------------------------------------------------------------
// oneDNN engine, stream and primitive cache.

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

struct ConvGeom {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw;
  std::string key(const char* kind) const {
    std::string k(kind);
    for (int64_t v : {n, h, w, c, kh, kw, o, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw}) k += ":" + std::to_string(v);
    return k;
  }
  dnnl::memory::desc src(dnnl::memory::format_tag tag = dnnl::memory::format_tag::nhwc) const {
    return {{n, c, h, w}, dnnl::memory::data_type::f32, tag};
  }
  dnnl::memory::desc dst(dnnl::memory::format_tag tag = dnnl::memory::format_tag::nhwc) const {
    return {{n, o, oh, ow}, dnnl::memory::data_type::f32, tag};
  }
  dnnl::memory::desc weights(dnnl::memory::format_tag tag = dnnl::memory::format_tag::hwio) const {
    return {{o, c, kh, kw}, dnnl::memory::data_type::f32, tag};
  }
  dnnl::memory::dims strides() const { return {sh, sw}; }
  dnnl::memory::dims dilates() const { return {dh - 1, dw - 1}; }
  dnnl::memory::dims pad_l() const { return {pt, pl}; }
  dnnl::memory::dims pad_r() const { return {pb, pr}; }
};

ConvGeom read_geom(Args& a, size_t first) {
  ConvGeom g{};
  int64_t* f[] = {&g.n, &g.h, &g.w, &g.c, &g.kh, &g.kw, &g.o, &g.oh, &g.ow, &g.sh, &g.sw, &g.pt, &g.pl, &g.pb, &g.pr, &g.dh, &g.dw};
  for (size_t i = 0; i < 17; i++) *f[i] = a.i64(first + i);
  need(g.n > 0 && g.h > 0 && g.w > 0 && g.c > 0 && g.kh > 0 && g.kw > 0 && g.o > 0 && g.oh > 0 && g.ow > 0, "non-positive shape");
  need(g.sh > 0 && g.sw > 0 && g.dh > 0 && g.dw > 0, "non-positive stride or dilation");
  return g;
}

struct ConvFwd {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
};
struct ConvBwdData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
};
struct ConvBwdWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
};

using any_tag = dnnl::memory::format_tag;

dnnl::convolution_forward::primitive_desc fwd_pd(const ConvGeom& g) {
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src(),
                                    g.weights(any_tag::any), g.dst(), g.strides(), g.dilates(), g.pad_l(), g.pad_r());
  return dnnl::convolution_forward::primitive_desc(d, engine());
}

// The cache grows by one entry per distinct layer shape and direction (a handful per model).
std::unordered_map<std::string, std::shared_ptr<ConvFwd>> fwd_cache;
std::unordered_map<std::string, std::shared_ptr<ConvBwdData>> bwd_data_cache;
std::unordered_map<std::string, std::shared_ptr<ConvBwdWeights>> bwd_weights_cache;

ConvFwd& conv_fwd(const ConvGeom& g) {
  auto key = g.key("f");
  auto it = fwd_cache.find(key);
  if (it != fwd_cache.end()) return *it->second;
  auto pd = fwd_pd(g);
  auto entry = std::make_shared<ConvFwd>(ConvFwd{pd, dnnl::convolution_forward(pd)});
  fwd_cache[key] = entry;
  return *entry;
}

ConvBwdData& conv_bwd_data(const ConvGeom& g) {
  auto key = g.key("d");
  auto it = bwd_data_cache.find(key);
  if (it != bwd_data_cache.end()) return *it->second;
  dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src(), g.weights(any_tag::any), g.dst(), g.strides(),
                                          g.dilates(), g.pad_l(), g.pad_r());
  dnnl::convolution_backward_data::primitive_desc pd(d, engine(), fwd_pd(g));
  auto entry = std::make_shared<ConvBwdData>(ConvBwdData{pd, dnnl::convolution_backward_data(pd)});
  bwd_data_cache[key] = entry;
  return *entry;
}

ConvBwdWeights& conv_bwd_weights(const ConvGeom& g) {
  auto key = g.key("w");
  auto it = bwd_weights_cache.find(key);
  if (it != bwd_weights_cache.end()) return *it->second;
  dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.src(), g.weights(any_tag::any), g.dst(),
                                             g.strides(), g.dilates(), g.pad_l(), g.pad_r());
  dnnl::convolution_backward_weights::primitive_desc pd(d, engine(), fwd_pd(g));
  auto entry = std::make_shared<ConvBwdWeights>(ConvBwdWeights{pd, dnnl::convolution_backward_weights(pd)});
  bwd_weights_cache[key] = entry;
  return *entry;
}

void check_len(size_t got, int64_t want, const char* what) {
  if (static_cast<int64_t>(got) != want) throw std::runtime_error(std::string(what) + " has " + std::to_string(got) + " elements, expected " + std::to_string(want));
}

// Weights in the user's HWIO layout; reordered into (or out of) the primitive's layout when they differ.
dnnl::memory user_weights(const ConvGeom& g, float* p) { return dnnl::memory(g.weights(), engine(), p); }

// conv2dForward(x, w, y, ...geometry): y = conv(x, w), NHWC x/y, HWIO w.
KERNEL(Conv2DForward, "Conv2D", 20) {
  SignalBlock no_signals;  // oneDNN inside (see SignalBlock)
  size_t nx, nw, ny;
  float* x = a.f32(0, &nx);
  float* w = a.f32(1, &nw);
  float* y = a.f32(2, &ny);
  ConvGeom g = read_geom(a, 3);
  check_len(nx, g.n * g.h * g.w * g.c, "x");
  check_len(nw, g.kh * g.kw * g.c * g.o, "filter");
  check_len(ny, g.n * g.oh * g.ow * g.o, "y");
  ConvFwd& c = conv_fwd(g);
  dnnl::memory src(g.src(), engine(), x), dst(g.dst(), engine(), y);
  dnnl::memory wu = user_weights(g, w), wp = wu;
  if (c.pd.weights_desc() != wu.get_desc()) {
    wp = dnnl::memory(c.pd.weights_desc(), engine());
    dnnl::reorder(wu, wp).execute(stream(), wu, wp);
  }
  c.prim.execute(stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wp}, {DNNL_ARG_DST, dst}});
  stream().wait();
  return undefined_value(a.env);
}

// conv2dBackpropInput(dy, w, dx, ...geometry).
KERNEL(Conv2DBackpropInput, "Conv2DBackpropInput", 20) {
  SignalBlock no_signals;  // oneDNN inside (see SignalBlock)
  size_t ndy, nw, ndx;
  float* dy = a.f32(0, &ndy);
  float* w = a.f32(1, &nw);
  float* dx = a.f32(2, &ndx);
  ConvGeom g = read_geom(a, 3);
  check_len(ndx, g.n * g.h * g.w * g.c, "dx");
  check_len(nw, g.kh * g.kw * g.c * g.o, "filter");
  check_len(ndy, g.n * g.oh * g.ow * g.o, "dy");
  ConvBwdData& c = conv_bwd_data(g);
  dnnl::memory diff_src(g.src(), engine(), dx), diff_dst(g.dst(), engine(), dy);
  dnnl::memory wu = user_weights(g, w), wp = wu;
  if (c.pd.weights_desc() != wu.get_desc()) {
    wp = dnnl::memory(c.pd.weights_desc(), engine());
    dnnl::reorder(wu, wp).execute(stream(), wu, wp);
  }
  c.prim.execute(stream(), {{DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_WEIGHTS, wp}, {DNNL_ARG_DIFF_SRC, diff_src}});
  stream().wait();
  return undefined_value(a.env);
}

// conv2dBackpropFilter(x, dy, dw, ...geometry).
KERNEL(Conv2DBackpropFilter, "Conv2DBackpropFilter", 20) {
  SignalBlock no_signals;  // oneDNN inside (see SignalBlock)
  size_t nx, ndy, ndw;
  float* x = a.f32(0, &nx);
  float* dy = a.f32(1, &ndy);
  float* dw = a.f32(2, &ndw);
  ConvGeom g = read_geom(a, 3);
  check_len(nx, g.n * g.h * g.w * g.c, "x");
  check_len(ndw, g.kh * g.kw * g.c * g.o, "dw");
  check_len(ndy, g.n * g.oh * g.ow * g.o, "dy");
  ConvBwdWeights& c = conv_bwd_weights(g);
  dnnl::memory src(g.src(), engine(), x), diff_dst(g.dst(), engine(), dy);
  dnnl::memory wu = user_weights(g, dw), wp = wu;
  bool reorder_back = c.pd.diff_weights_desc() != wu.get_desc();
  if (reorder_back) wp = dnnl::memory(c.pd.diff_weights_desc(), engine());
  c.prim.execute(stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_WEIGHTS, wp}});
  if (reorder_back) dnnl::reorder(wp, wu).execute(stream(), wp, wu);
  stream().wait();
  return undefined_value(a.env);
}

// ---------------------------------------------------------------------------------------------
// Matrix products. gemm(a, b, c, batch, M, N, K, transA, transB, bias|null, relu, library)
// c[batch][M][N] = op(a[batch]) op(b[batch]) (+ bias[N]) (ReLU); a batch of 1 in a or b broadcasts.
// library 0 = oneDNN's sgemm, 1 = OpenBLAS.

KERNEL(Gemm, "BatchMatMul", 12) {
  SignalBlock no_signals;  // oneDNN inside (see SignalBlock)
  size_t na, nb, nc, nbias;
  float* A = a.f32(0, &na);
  float* B = a.f32(1, &nb);
  float* C = a.f32(2, &nc);
  int64_t batch = a.i64(3), M = a.i64(4), N = a.i64(5), K = a.i64(6);
  bool ta = a.i64(7) != 0, tb = a.i64(8) != 0;
  float* bias = a.f32(9, &nbias, true);
  bool relu = a.i64(10) != 0;
  int64_t lib = a.i64(11);
  need(batch > 0 && M > 0 && N > 0 && K >= 0, "non-positive matrix shape");
  check_len(nc, batch * M * N, "c");
  int64_t sa = M * K, sb = K * N;
  need(static_cast<int64_t>(na) == sa || static_cast<int64_t>(na) == batch * sa, "a has the wrong size");
  need(static_cast<int64_t>(nb) == sb || static_cast<int64_t>(nb) == batch * sb, "b has the wrong size");
  if (bias) need(static_cast<int64_t>(nbias) == N, "bias must have N elements");
  bool a_batched = static_cast<int64_t>(na) == batch * sa && batch > 1;
  bool b_batched = static_cast<int64_t>(nb) == batch * sb && batch > 1;
  for (int64_t i = 0; i < batch; i++) {
    const float* Ai = A + (a_batched ? i * sa : 0);
    const float* Bi = B + (b_batched ? i * sb : 0);
    float* Ci = C + i * M * N;
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    if (K == 0) {
      std::fill(Ci, Ci + M * N, 0.f);
    } else if (lib == 1) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.f, Ai, lda, Bi, ldb, 0.f, Ci, N);
    } else {
      dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.f, Ai, lda, Bi, ldb, 0.f, Ci, N);
      if (st != dnnl_success) throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(static_cast<int>(st)));
    }
    if (bias || relu) {
      for (int64_t r = 0; r < M; r++) {
        float* row = Ci + r * N;
        if (bias) for (int64_t j = 0; j < N; j++) row[j] += bias[j];
        if (relu) for (int64_t j = 0; j < N; j++) row[j] = row[j] > 0.f ? row[j] : 0.f;
      }
    }
  }
  return undefined_value(a.env);
}

// ---------------------------------------------------------------------------------------------
// Element-wise binary ops. Without shape arguments the smaller operand repeats along the larger
// (same shape, a scalar, or a suffix such as a bias row); with them, any broadcast by strides.

enum BinOp { ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAXIMUM = 4, MINIMUM = 5, SQDIFF = 6 };

// Reads a JS array of integers (shapes and strides).
std::vector<int64_t> int_list(Args& a, size_t i) {
  uint32_t n = 0;
  need(napi_get_array_length(a.env, a.v[i], &n) == napi_ok, "expected an array of integers");
  std::vector<int64_t> out(n);
  for (uint32_t k = 0; k < n; k++) {
    napi_value e;
    napi_get_element(a.env, a.v[i], k, &e);
    need(napi_get_value_int64(a.env, e, &out[k]) == napi_ok, "expected an array of integers");
  }
  return out;
}

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
  napi_valuetype t;
  napi_typeof(a.env, a.v[4], &t);
  if (t == napi_null || t == napi_undefined) {
    need((nx == n && n % ny == 0) || (ny == n && n % nx == 0), "operands do not broadcast by suffix");
    binary_loop(x, nx, y, ny, out, n, f);
    return;
  }
  std::vector<int64_t> shape = int_list(a, 4), xs = int_list(a, 5), ys = int_list(a, 6);
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

// binary(x, y, out, op, shape|null, xStrides|null, yStrides|null)
KERNEL(Binary, "Binary", 7) {
  size_t nx, ny, n;
  float* x = a.f32(0, &nx);
  float* y = a.f32(1, &ny);
  float* out = a.f32(2, &n);
  int64_t op = a.i64(3);
  need(nx > 0 && ny > 0 && n > 0, "empty operand");
  switch (op) {
    case ADD: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p + q; }); break;
    case SUB: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p - q; }); break;
    case MUL: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p * q; }); break;
    case DIV: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return p / q; }); break;
    case MAXIMUM: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return (p != p || q != q) ? NAN : (p > q ? p : q); }); break;
    case MINIMUM: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return (p != p || q != q) ? NAN : (p < q ? p : q); }); break;
    case SQDIFF: run_binary(a, x, nx, y, ny, out, n, [](float p, float q) { return (p - q) * (p - q); }); break;
    default: throw std::runtime_error("unknown binary op " + std::to_string(op));
  }
  return undefined_value(a.env);
}

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

// Unary ops: 0 relu, 1 step(alpha) (x > 0 ? 1 : alpha; NaN stays NaN), 2 neg, 3 square, 4 exp,
// 5 log, 6 sqrt, 7 rsqrt, 8 relu6, 9 abs.
KERNEL(Unary, "Unary", 4) {
  size_t nx, n;
  float* x = a.f32(0, &nx);
  float* out = a.f32(1, &n);
  int64_t op = a.i64(2);
  float alpha = static_cast<float>(a.f64(3));
  need(nx == n, "output size differs from input");
  switch (op) {
    case 0: for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.f ? x[i] : 0.f; for (size_t i = 0; i < n; i++) if (x[i] != x[i]) out[i] = x[i]; break;
    case 1: for (size_t i = 0; i < n; i++) out[i] = x[i] != x[i] ? NAN : (x[i] > 0.f ? 1.f : alpha); break;
    case 2: for (size_t i = 0; i < n; i++) out[i] = -x[i]; break;
    case 3: for (size_t i = 0; i < n; i++) out[i] = x[i] * x[i]; break;
    case 4: for (size_t i = 0; i < n; i++) out[i] = std::exp(x[i]); break;
    case 5: for (size_t i = 0; i < n; i++) out[i] = std::log(x[i]); break;
    case 6: for (size_t i = 0; i < n; i++) out[i] = std::sqrt(x[i]); break;
    case 7: for (size_t i = 0; i < n; i++) out[i] = 1.f / std::sqrt(x[i]); break;
    case 8: for (size_t i = 0; i < n; i++) out[i] = x[i] != x[i] ? x[i] : std::min(std::max(x[i], 0.f), 6.f); break;
    case 9: for (size_t i = 0; i < n; i++) out[i] = std::fabs(x[i]); break;
    default: throw std::runtime_error("unknown unary op " + std::to_string(op));
  }
  return undefined_value(a.env);
}

// reduce(x, out, outer, mid, inner, mode): x is [outer, mid, inner] row-major, out [outer, inner];
// mode 0 sum, 1 mean, 2 max. Sums accumulate in float32 pairwise-free order like tfjs cpu would
// not; tests bound the difference.
KERNEL(Reduce, "Reduce", 6) {
  size_t nx, n;
  float* x = a.f32(0, &nx);
  float* out = a.f32(1, &n);
  int64_t outer = a.i64(2), mid = a.i64(3), inner = a.i64(4), mode = a.i64(5);
  need(outer >= 0 && mid >= 1 && inner >= 0, "bad reduce shape");
  check_len(nx, outer * mid * inner, "x");
  check_len(n, outer * inner, "out");
  std::vector<double> acc(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; o++) {
    const float* xo = x + o * mid * inner;
    float* oo = out + o * inner;
    if (mode == 2) {
      for (int64_t j = 0; j < inner; j++) oo[j] = xo[j];
      for (int64_t m = 1; m < mid; m++)
        for (int64_t j = 0; j < inner; j++) {
          float v = xo[m * inner + j];
          if (v > oo[j] || v != v) oo[j] = v;
        }
      continue;
    }
    if (inner == 1) {
      double s = 0;
      for (int64_t m = 0; m < mid; m++) s += xo[m];
      oo[0] = static_cast<float>(mode == 1 ? s / mid : s);
      continue;
    }
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t m = 0; m < mid; m++) {
      const float* row = xo + m * inner;
      for (int64_t j = 0; j < inner; j++) acc[j] += row[j];
    }
    for (int64_t j = 0; j < inner; j++) oo[j] = static_cast<float>(mode == 1 ? acc[j] / mid : acc[j]);
  }
  return undefined_value(a.env);
}

// transpose(x, out, outer, rows, cols, inner): [outer, rows, cols, inner] -> [outer, cols, rows, inner].
KERNEL(Transpose, "Transpose", 6) {
  size_t nx, n;
  float* x = a.f32(0, &nx);
  float* out = a.f32(1, &n);
  int64_t outer = a.i64(2), rows = a.i64(3), cols = a.i64(4), inner = a.i64(5);
  check_len(nx, outer * rows * cols * inner, "x");
  check_len(n, nx, "out");
  const int64_t T = 32;
  for (int64_t o = 0; o < outer; o++) {
    const float* xo = x + o * rows * cols * inner;
    float* oo = out + o * rows * cols * inner;
    for (int64_t r0 = 0; r0 < rows; r0 += T)
      for (int64_t c0 = 0; c0 < cols; c0 += T) {
        int64_t r1 = std::min(rows, r0 + T), c1 = std::min(cols, c0 + T);
        for (int64_t r = r0; r < r1; r++)
          for (int64_t c = c0; c < c1; c++) {
            if (inner == 1) oo[c * rows + r] = xo[r * cols + c];
            else std::memcpy(oo + (c * rows + r) * inner, xo + (r * cols + c) * inner, sizeof(float) * inner);
          }
      }
  }
  return undefined_value(a.env);
}

// gatherRows(x, indices, out, rowSize): out row i = x row indices[i]; every index must be in range.
KERNEL(GatherRows, "GatherV2", 4) {
  size_t nx, ni, n;
  float* x = a.f32(0, &nx);
  int32_t* idx = a.i32(1, &ni);
  float* out = a.f32(2, &n);
  int64_t row = a.i64(3);
  need(row > 0 && nx % row == 0, "bad row size");
  check_len(n, static_cast<int64_t>(ni) * row, "out");
  int64_t rows = nx / row;
  for (size_t i = 0; i < ni; i++) need(idx[i] >= 0 && idx[i] < rows, "index out of range");
  // A training batch gathers rows scattered over a dataset far larger than the caches, and the
  // hardware prefetcher only follows a row once it is being read: rows a few indices ahead are
  // requested early, so their misses overlap the copies before them.
  const size_t bytes = sizeof(float) * static_cast<size_t>(row);
  const size_t ahead = bytes <= 16384 ? 4 : 0;
  for (size_t i = 0; i < ni; i++) {
    if (ahead && i + ahead < ni) {
      const char* next = reinterpret_cast<const char*>(x + idx[i + ahead] * row);
      for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(next + b, 0, 0);
    }
    std::memcpy(out + i * row, x + idx[i] * row, bytes);
  }
  return undefined_value(a.env);
}

// ---------------------------------------------------------------------------------------------
// Max pooling, NHWC. Windows take the first maximum (strict >, starting at -inf), as tfjs's
// cpu backend does; padding never wins. The backward recomputes the argmax from x, so it needs
// no workspace from the forward.

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

// Calls f(output offset, channel, input offset of the channel's first max or -1, max) per output
// pixel and channel. Taps are visited in window order and only a strictly larger value moves the
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

KERNEL(MaxPool, "MaxPool", 14) {
  size_t nx, ny;
  float* x = a.f32(0, &nx);
  float* y = a.f32(1, &ny);
  PoolGeom g = read_pool(a, 2);
  check_len(nx, g.n * g.h * g.w * g.c, "x");
  check_len(ny, g.n * g.oh * g.ow * g.c, "y");
  pool_argmax(x, g, [&](int64_t o, const float* best, const int64_t*) { std::memcpy(y + o, best, sizeof(float) * g.c); });
  return undefined_value(a.env);
}

KERNEL(MaxPoolGrad, "MaxPoolGrad", 15) {
  size_t ndy, nx, ndx;
  float* dy = a.f32(0, &ndy);
  float* x = a.f32(1, &nx);
  float* dx = a.f32(2, &ndx);
  PoolGeom g = read_pool(a, 3);
  check_len(nx, g.n * g.h * g.w * g.c, "x");
  check_len(ndx, nx, "dx");
  check_len(ndy, g.n * g.oh * g.ow * g.c, "dy");
  std::fill(dx, dx + ndx, 0.f);
  pool_argmax(x, g, [&](int64_t o, const float*, const int64_t* where) {
    for (int64_t ch = 0; ch < g.c; ch++)
      if (where[ch] >= 0) dx[where[ch]] += dy[o + ch];
  });
  return undefined_value(a.env);
}

// ---------------------------------------------------------------------------------------------
// Training-mode batch norm over [rows, C] (batchlab's BatchlabBatchNormTrain kernel pair), the
// same math as src/models/batch-norm-math.ts: sums about the first row (forward) and
// dx = a*dy + b*x + d per channel (backward). Sums run in float32 over blocks of kRowBlock rows
// (so the channel loop vectorises) and are totalled in float64.
constexpr size_t kRowBlock = 64;

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
  for (size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
    size_t r1 = std::min(rows, r0 + kRowBlock);
    std::fill(sf32.begin(), sf32.end(), 0.f);
    std::fill(qf32.begin(), qf32.end(), 0.f);
    float* sp = sf32.data();
    float* qp = qf32.data();
    const float* hp = shift.data();
    for (size_t r = r0; r < r1; r++) {
      const float* xr = x + r * c;
      for (size_t k = 0; k < c; k++) {
        float d = xr[k] - hp[k];
        sp[k] += d;
        qp[k] += d * d;
      }
    }
    for (size_t k = 0; k < c; k++) {
      s[k] += sp[k];
      q[k] += qp[k];
    }
  }
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
  for (size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
    size_t r1 = std::min(rows, r0 + kRowBlock);
    std::fill(gf32.begin(), gf32.end(), 0.f);
    std::fill(pf32.begin(), pf32.end(), 0.f);
    float* gp = gf32.data();
    float* pp = pf32.data();
    for (size_t r = r0; r < r1; r++) {
      const float* dr = dy + r * c;
      const float* xr = x + r * c;
      for (size_t k = 0; k < c; k++) {
        gp[k] += dr[k];
        pp[k] += dr[k] * (xr[k] - mean[k]);
      }
    }
    for (size_t k = 0; k < c; k++) {
      g[k] += gp[k];
      p[k] += pp[k];
    }
  }
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

// ---------------------------------------------------------------------------------------------
// GroupNorm over [N, S, C] with G groups of C/G contiguous channels (batchlab's
// BatchlabGroupNorm kernel pair): statistics per (sample, group) over S x C/G values. Per sample,
// per-channel sums over blocks of kRowBlock spatial rows run in float32 (the channel loop
// vectorises) and are totalled in float64, then folded into the groups.
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

// Per-channel sums over the S rows of one sample: s[k] += sum f(row, k) for two functions at once.
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

// x [N*S*C], gamma [C], beta [C], epsilon, n, groups, y, mean [N*G], rstd [N*G]
KERNEL(GroupNormForward, "BatchlabGroupNorm", 9) {
  size_t nx, c, nb, ny, nm, nr;
  float* x = a.f32(0, &nx);
  float* gamma = a.f32(1, &c);
  float* beta = a.f32(2, &nb);
  double eps = a.f64(3);
  GroupGeom G = read_group_geom(a, 4, nx, c);
  float* y = a.f32(6, &ny);
  float* mean = a.f32(7, &nm);
  float* rstd = a.f32(8, &nr);
  need(nb == c && ny == nx && nm == G.n * G.g && nr == G.n * G.g, "inconsistent group-norm shapes");
  std::vector<double> s(c), q(c);
  std::vector<float> sb(c), qb(c), h(c), sf(c), mf(c), bf(c);
  const double count = static_cast<double>(G.s * G.cg);
  for (size_t n = 0; n < G.n; n++) {
    const float* xn = x + n * G.s * c;
    std::copy(xn, xn + c, h.begin());  // shift: the sample's first row
    const float* hp = h.data();
    channel_sums(G.s, c, s.data(), q.data(), sb.data(), qb.data(), [&](size_t r, float* sp, float* qp) {
      const float* xr = xn + r * c;
      for (size_t k = 0; k < c; k++) {
        float d = xr[k] - hp[k];
        sp[k] += d;
        qp[k] += d * d;
      }
    });
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
  size_t ndy, nx, c, nm, nr, ndm, ndr, ndx, ndg, ndb;
  float* dy = a.f32(0, &ndy);
  float* x = a.f32(1, &nx);
  float* gamma = a.f32(2, &c);
  float* mean = a.f32(3, &nm);
  float* rstd = a.f32(4, &nr);
  float* dmean = a.f32(5, &ndm, true);
  float* drstd = a.f32(6, &ndr, true);
  GroupGeom G = read_group_geom(a, 7, nx, c);
  float* dx = a.f32(9, &ndx);
  float* dgamma = a.f32(10, &ndg);
  float* dbeta = a.f32(11, &ndb);
  size_t ng = G.n * G.g;
  need(ndy == nx && ndx == nx && nm == ng && nr == ng && ndg == c && ndb == c, "inconsistent group-norm shapes");
  need((!dmean || ndm == ng) && (!drstd || ndr == ng), "statistics gradients must have N x G elements");
  std::vector<double> gs(c), ps(c), dg(c, 0.0), db(c, 0.0);
  std::vector<float> gb(c), pb(c), mu(c), af(c), bf(c), df(c);
  const double count = static_cast<double>(G.s * G.cg);
  for (size_t n = 0; n < G.n; n++) {
    const float* xn = x + n * G.s * c;
    const float* dyn = dy + n * G.s * c;
    for (size_t k = 0; k < c; k++) mu[k] = mean[n * G.g + k / G.cg];
    const float* mp = mu.data();
    channel_sums(G.s, c, gs.data(), ps.data(), gb.data(), pb.data(), [&](size_t r, float* gp, float* pp) {
      const float* dr = dyn + r * c;
      const float* xr = xn + r * c;
      for (size_t k = 0; k < c; k++) {
        gp[k] += dr[k];
        pp[k] += dr[k] * (xr[k] - mp[k]);
      }
    });
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

// ---------------------------------------------------------------------------------------------
// Threads and identification.

KERNEL(SetThreads, "setThreads", 1) {
  int64_t n = a.i64(0);
  need(n >= 1 && n <= 1024, "threads must be 1..1024");
  omp_set_num_threads(static_cast<int>(n));
  openblas_set_num_threads(static_cast<int>(n));
  {
    // Start OpenMP's workers now, with asynchronous signals blocked, so that they never take a
    // signal while running a oneDNN kernel (see SignalBlock).
    SignalBlock no_signals;
#pragma omp parallel
    { (void)omp_get_thread_num(); }
  }
  return undefined_value(a.env);
}

KERNEL(Info, "info", 0) {
  const dnnl_version_t* v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
                  ", " + openblas_get_config() + ", " + std::to_string(omp_get_max_threads()) + " OpenMP thread(s)";
  napi_value out;
  napi_create_string_utf8(a.env, s.c_str(), s.size(), &out);
  return out;
}

// Throws a native exception on purpose, so tests can check that it reaches JavaScript as an Error.
KERNEL(SelfTestThrow, "selfTestThrow", 0) {
  dnnl::memory::desc bad({-1}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
  dnnl::memory m(bad, engine());
  (void)m;
  return undefined_value(a.env);
}

napi_value Init(napi_env env, napi_value exports) {
  // Every kernel output is a new typed array; glibc serves ones over 128 KB with fresh mmaps and
  // unmaps them on free, so each step paid page faults on megabytes of activations. Raising the
  // thresholds keeps such blocks in the heap for reuse (the process keeps its peak heap).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  struct Fn {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"conv2dForward", Conv2DForward}, {"conv2dBackpropInput", Conv2DBackpropInput}, {"conv2dBackpropFilter", Conv2DBackpropFilter},
      {"gemm", Gemm}, {"binary", Binary}, {"sgdUpdate", SgdUpdate}, {"unary", Unary}, {"reduce", Reduce}, {"transpose", Transpose}, {"gatherRows", GatherRows},
      {"maxPool", MaxPool}, {"maxPoolGrad", MaxPoolGrad}, {"batchNormForward", BatchNormForward},
      {"batchNormBackward", BatchNormBackward}, {"groupNormForward", GroupNormForward},
      {"groupNormBackward", GroupNormBackward}, {"setThreads", SetThreads}, {"info", Info}, {"selfTestThrow", SelfTestThrow},
  };
  for (const Fn& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

// Convolutions: oneDNN primitives on NHWC activations and HWIO filters, cached per shape.
// conv2dForward(x, w, y, ...geometry), conv2dBackpropInput(dy, w, dx, ...geometry) and
// conv2dBackpropFilter(x, dy, dw, ...geometry), with the 17 geometry integers of ConvGeom.
#include <cstdint>
#include <string>

#include "args.h"
#include "kernels.h"
#include "primitive_cache.h"
#include "signal_block.h"

namespace batchlab {
namespace {

using tag = dnnl::memory::format_tag;

struct ConvGeom {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw;
  std::string key() const {
    std::string k;
    for (int64_t v : {n, h, w, c, kh, kw, o, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw}) k += ":" + std::to_string(v);
    return k;
  }
  dnnl::memory::desc src() const { return {{n, c, h, w}, dnnl::memory::data_type::f32, tag::nhwc}; }
  dnnl::memory::desc dst() const { return {{n, o, oh, ow}, dnnl::memory::data_type::f32, tag::nhwc}; }
  dnnl::memory::desc weights(tag t = tag::hwio) const { return {{o, c, kh, kw}, dnnl::memory::data_type::f32, t}; }
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

template <typename Prim>
struct Cached {
  typename Prim::primitive_desc pd;
  Prim prim;
};

dnnl::convolution_forward::primitive_desc fwd_pd(const ConvGeom& g) {
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src(),
                                    g.weights(tag::any), g.dst(), g.strides(), g.dilates(), g.pad_l(), g.pad_r());
  return dnnl::convolution_forward::primitive_desc(d, engine());
}

Cached<dnnl::convolution_forward>& conv_fwd(const ConvGeom& g) {
  static PrimitiveCache<Cached<dnnl::convolution_forward>> cache;
  return cache.get(g.key(), [&] {
    auto pd = fwd_pd(g);
    return Cached<dnnl::convolution_forward>{pd, dnnl::convolution_forward(pd)};
  });
}

Cached<dnnl::convolution_backward_data>& conv_bwd_data(const ConvGeom& g) {
  static PrimitiveCache<Cached<dnnl::convolution_backward_data>> cache;
  return cache.get(g.key(), [&] {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src(), g.weights(tag::any), g.dst(), g.strides(),
                                            g.dilates(), g.pad_l(), g.pad_r());
    dnnl::convolution_backward_data::primitive_desc pd(d, engine(), fwd_pd(g));
    return Cached<dnnl::convolution_backward_data>{pd, dnnl::convolution_backward_data(pd)};
  });
}

Cached<dnnl::convolution_backward_weights>& conv_bwd_weights(const ConvGeom& g) {
  static PrimitiveCache<Cached<dnnl::convolution_backward_weights>> cache;
  return cache.get(g.key(), [&] {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.src(), g.weights(tag::any), g.dst(),
                                               g.strides(), g.dilates(), g.pad_l(), g.pad_r());
    dnnl::convolution_backward_weights::primitive_desc pd(d, engine(), fwd_pd(g));
    return Cached<dnnl::convolution_backward_weights>{pd, dnnl::convolution_backward_weights(pd)};
  });
}

// Where a conv kernel's three arrays sit among its first three arguments, and their names in
// size errors: the activations (x or dx), the filter (w or dw, HWIO) and the output side (y or dy).
struct ConvRoles {
  size_t src, weights, dst;
  const char *src_name, *weights_name, *dst_name;
};

// One conv call: its geometry, and its three arrays as oneDNN memories over the caller's buffers.
struct ConvCall {
  ConvGeom g;
  dnnl::memory src, weights, dst;
};

// Reads the three arrays (in argument order) and the geometry after them, and checks every size.
ConvCall read_conv(Args& a, const ConvRoles& r) {
  size_t len[3];
  float* arr[3];
  for (size_t i = 0; i < 3; i++) arr[i] = a.f32(i, &len[i]);
  ConvGeom g = read_geom(a, 3);
  check_len(len[r.src], g.n * g.h * g.w * g.c, r.src_name);
  check_len(len[r.weights], g.kh * g.kw * g.c * g.o, r.weights_name);
  check_len(len[r.dst], g.n * g.oh * g.ow * g.o, r.dst_name);
  return {g, dnnl::memory(g.src(), engine(), arr[r.src]), dnnl::memory(g.weights(), engine(), arr[r.weights]),
          dnnl::memory(g.dst(), engine(), arr[r.dst])};
}

// Memory in the primitive's weights layout `want`: the user's HWIO memory itself when they agree,
// else a new buffer (filled from the user's weights when `copy_in`).
dnnl::memory weights_as(const dnnl::memory::desc& want, dnnl::memory user, bool copy_in) {
  if (want == user.get_desc()) return user;
  dnnl::memory m(want, engine());
  if (copy_in) dnnl::reorder(user, m).execute(stream(), user, m);
  return m;
}

// A conv whose filter is an input (forward, backward data): the filter in the primitive's layout,
// the activations side bound to `src_arg` and the output side to `dst_arg`.
template <typename Prim>
napi_value run_with_filter(Args& a, const ConvRoles& roles, Cached<Prim>& (*primitive)(const ConvGeom&), int src_arg, int dst_arg) {
  SignalBlock no_signals;  // oneDNN inside (see signal_block.h)
  ConvCall call = read_conv(a, roles);
  auto& c = primitive(call.g);
  dnnl::memory w = weights_as(c.pd.weights_desc(), call.weights, true);
  c.prim.execute(stream(), {{src_arg, call.src}, {DNNL_ARG_WEIGHTS, w}, {dst_arg, call.dst}});
  stream().wait();
  return undefined_value(a.env);
}

}  // namespace

// y = conv(x, w).
KERNEL(Conv2DForward, "Conv2D", 20) {
  return run_with_filter(a, {0, 1, 2, "x", "filter", "y"}, conv_fwd, DNNL_ARG_SRC, DNNL_ARG_DST);
}

// dx from dy and w.
KERNEL(Conv2DBackpropInput, "Conv2DBackpropInput", 20) {
  return run_with_filter(a, {2, 1, 0, "dx", "filter", "dy"}, conv_bwd_data, DNNL_ARG_DIFF_SRC, DNNL_ARG_DIFF_DST);
}

// dw from x and dy; reordered back into the user's HWIO layout when the primitive used another.
KERNEL(Conv2DBackpropFilter, "Conv2DBackpropFilter", 20) {
  SignalBlock no_signals;  // oneDNN inside (see signal_block.h)
  ConvCall call = read_conv(a, {0, 2, 1, "x", "dw", "dy"});
  auto& c = conv_bwd_weights(call.g);
  dnnl::memory dw = weights_as(c.pd.diff_weights_desc(), call.weights, false);
  c.prim.execute(stream(), {{DNNL_ARG_SRC, call.src}, {DNNL_ARG_DIFF_DST, call.dst}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
  if (dw != call.weights) dnnl::reorder(dw, call.weights).execute(stream(), dw, call.weights);
  stream().wait();
  return undefined_value(a.env);
}

}  // namespace batchlab

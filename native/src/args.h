// Argument helpers shared by every kernel: reading a call's typed arrays and numbers, checking
// sizes, and turning any C++ exception into a JavaScript Error that names the op.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace batchlab {

// A Float32Array argument: its data and element count; it converts to float* for indexing.
struct F32 {
  float* p;
  size_t n;
  operator float*() const { return p; }
};

// A call's arguments: op-specific arrays and integers; a wrong type throws.
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

  // True when argument i is null or undefined.
  bool is_null(size_t i) const {
    napi_valuetype t;
    napi_typeof(env, v[i], &t);
    return t == napi_null || t == napi_undefined;
  }

  // A Float32Array (or null when `nullable`); `len` receives its element count.
  float* f32(size_t i, size_t* len = nullptr, bool nullable = false) {
    if (nullable && is_null(i)) {
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

  // Argument i as a Float32Array view; `nullable` lets null or undefined through as {nullptr, 0}.
  F32 array(size_t i, bool nullable = false) {
    size_t n = 0;
    float* p = f32(i, &n, nullable);
    return F32{p, n};
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

  // A JS array of integers (shapes and strides).
  std::vector<int64_t> int_list(size_t i) {
    uint32_t n = 0;
    if (napi_get_array_length(env, v[i], &n) != napi_ok) throw std::runtime_error("expected an array of integers");
    std::vector<int64_t> out(n);
    for (uint32_t k = 0; k < n; k++) {
      napi_value e;
      napi_get_element(env, v[i], k, &e);
      if (napi_get_value_int64(env, e, &out[k]) != napi_ok) throw std::runtime_error("expected an array of integers");
    }
    return out;
  }
};

inline void need(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(what);
}

inline void check_len(size_t got, int64_t want, const char* what) {
  if (static_cast<int64_t>(got) != want) throw std::runtime_error(std::string(what) + " has " + std::to_string(got) + " elements, expected " + std::to_string(want));
}

inline napi_value undefined_value(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
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

}  // namespace batchlab

// Defines the Node-API callback `fn_name` (declared in kernels.h) for the op `op_name` taking
// `argc` arguments; the braces that follow are its body, with the arguments as `a`.
#define KERNEL(fn_name, op_name, argc)                                 \
  static napi_value fn_name##_body(Args& a);                           \
  napi_value fn_name(napi_env env, napi_callback_info info) {          \
    return guarded(env, op_name, [&]() {                               \
      Args a(env, info, op_name, argc);                                \
      return fn_name##_body(a);                                        \
    });                                                                \
  }                                                                    \
  static napi_value fn_name##_body(Args& a)

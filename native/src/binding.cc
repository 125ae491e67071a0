// The addon's binding: the module's exports (one per kernel of kernels.h), thread pools and
// identification. Every kernel works on Float32Arrays that JavaScript allocated (inputs and
// outputs alike), so the addon owns no tensor memory; the only state it keeps is its cache of
// oneDNN primitives (primitive_cache.h). Every entry point catches C++ exceptions (dnnl::error
// included) and turns them into a JavaScript Error naming the op (args.h), so a native failure
// never takes Node down.
#include <node_api.h>

#include <cblas.h>
#include <malloc.h>
#include <omp.h>

#include <string>

#include "args.h"
#include "kernels.h"
#include "primitive_cache.h"
#include "signal_block.h"

namespace batchlab {

KERNEL(SetThreads, "setThreads", 1) {
  int64_t n = a.i64(0);
  need(n >= 1 && n <= 1024, "threads must be 1..1024");
  omp_set_num_threads(static_cast<int>(n));
  openblas_set_num_threads(static_cast<int>(n));
  {
    // Start OpenMP's workers now, with asynchronous signals blocked, so that they never take a
    // signal while running a oneDNN kernel (see signal_block.h).
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

namespace {

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
      {"gemm", Gemm}, {"binary", Binary}, {"sgdUpdate", SgdUpdate}, {"adamUpdate", AdamUpdate}, {"softmaxXent", SoftmaxXent}, {"softmaxXentGrad", SoftmaxXentGrad}, {"unary", Unary}, {"reduce", Reduce}, {"transpose", Transpose}, {"gatherRows", GatherRows},
      {"maxPool", MaxPool}, {"maxPoolGrad", MaxPoolGrad}, {"batchNormForward", BatchNormForward},
      {"batchNormBackward", BatchNormBackward}, {"batchNormInference", BatchNormInference}, {"groupNormForward", GroupNormForward},
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
}  // namespace batchlab

NAPI_MODULE(NODE_GYP_MODULE_NAME, batchlab::Init)

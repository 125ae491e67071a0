// Every Node-API entry point of the addon, one per exported function; binding.cc exports them.
// Each is defined with KERNEL (args.h) in its family's file, named in the comment.
#pragma once

#include <node_api.h>

namespace batchlab {

// conv.cc
napi_value Conv2DForward(napi_env env, napi_callback_info info);
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info);
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info);
// gemm.cc
napi_value Gemm(napi_env env, napi_callback_info info);
// elementwise.cc
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Unary(napi_env env, napi_callback_info info);
// reduce.cc
napi_value Reduce(napi_env env, napi_callback_info info);
// layout.cc
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value GatherRows(napi_env env, napi_callback_info info);
// pool.cc
napi_value MaxPool(napi_env env, napi_callback_info info);
napi_value MaxPoolGrad(napi_env env, napi_callback_info info);
// batch_norm.cc
napi_value BatchNormForward(napi_env env, napi_callback_info info);
napi_value BatchNormBackward(napi_env env, napi_callback_info info);
napi_value BatchNormInference(napi_env env, napi_callback_info info);
// group_norm.cc
napi_value GroupNormForward(napi_env env, napi_callback_info info);
napi_value GroupNormBackward(napi_env env, napi_callback_info info);
// optimizer.cc
napi_value SgdUpdate(napi_env env, napi_callback_info info);
// adam.cc
napi_value AdamUpdate(napi_env env, napi_callback_info info);
// softmax_xent.cc
napi_value SoftmaxXent(napi_env env, napi_callback_info info);
napi_value SoftmaxXentGrad(napi_env env, napi_callback_info info);
// binding.cc
napi_value SetThreads(napi_env env, napi_callback_info info);
napi_value Info(napi_env env, napi_callback_info info);
napi_value SelfTestThrow(napi_env env, napi_callback_info info);

}  // namespace batchlab

// Module entry: registers every native export that binding/native.ts declares.
#include <napi.h>

#include "addon_data.h"
#include "errors.h"
#include "js_error.h"
#include "model_wrap.h"
#include "ort_library.h"
#include "tokenizer_wrap.h"

namespace crossrank {
namespace {

Napi::Value LoadRuntime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const OrtRuntimeInfo& rt = LoadOrtRuntime(info[0].As<Napi::String>().Utf8Value());
    Napi::Object out = Napi::Object::New(env);
    out.Set("path", rt.path);
    out.Set("version", rt.version);
    out.Set("apiVersion", rt.api_version);
    return out;
  } catch (const Error& e) {
    throw CodedError(env, e.code(), e.what());
  }
}

}  // namespace
}  // namespace crossrank

static Napi::Object InitCrossrank(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new crossrank::AddonData());
  exports.Set("loadRuntime", Napi::Function::New(env, crossrank::LoadRuntime, "loadRuntime"));
  crossrank::TokenizerWrap::Init(env, exports);
  crossrank::ModelWrap::Init(env, exports);
  return exports;
}

NODE_API_MODULE(crossrank, InitCrossrank)

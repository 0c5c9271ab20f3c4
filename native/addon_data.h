// Per-environment state (one per main thread or worker_thread): class constructors live here, never in statics.
#pragma once
#include <napi.h>

namespace crossrank {

struct AddonData {
  Napi::FunctionReference tokenizer_constructor;
  Napi::FunctionReference model_constructor;
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace crossrank

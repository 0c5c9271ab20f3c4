// Per-environment state (one per main thread or worker_thread): class constructors live here, never in statics.
#pragma once
#include <napi.h>

#include <memory>
#include <vector>

namespace crossrank {

class Engine;

struct AddonData {
  Napi::FunctionReference tokenizer_constructor;
  Napi::FunctionReference model_constructor;
  // Engines created in this environment, stopped by shutdown() when the process exits.
  std::vector<std::weak_ptr<Engine>> engines;
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace crossrank

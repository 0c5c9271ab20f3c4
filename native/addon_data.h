// Per-environment state (one per main thread or worker_thread): class constructors live here, never in statics.
#pragma once
#include <napi.h>

#include <memory>
#include <vector>

namespace crossrank {

class Engine;
class Tokenizer;

struct AddonData {
  Napi::FunctionReference tokenizer_constructor;
  Napi::FunctionReference model_constructor;
  // Set by createTokenizer just before it calls the Tokenizer constructor, which takes it.
  std::shared_ptr<const Tokenizer> pending_tokenizer;
  // Engines created in this environment, stopped by shutdown() when the process exits.
  std::vector<std::weak_ptr<Engine>> engines;
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace crossrank

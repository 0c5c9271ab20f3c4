// The JS class NativeModel: one engine, its thread-safe completion channel and its teardown rules.
#pragma once
#include <napi.h>

#include <memory>

#include "engine.h"

namespace crossrank {

struct Bridge;

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit ModelWrap(const Napi::CallbackInfo& info);
  ~ModelWrap() override;

 private:
  Napi::Value Score(const Napi::CallbackInfo& info);
  Napi::Value Rank(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value NumLabels(const Napi::CallbackInfo& info);
  Napi::Value InputNames(const Napi::CallbackInfo& info);
  Napi::Value Provider(const Napi::CallbackInfo& info);
  Napi::Value FallbackReason(const Napi::CallbackInfo& info);
  Napi::Value HostMemory(const Napi::CallbackInfo& info);
  Napi::Value BatchStats(const Napi::CallbackInfo& info);

  Napi::Value Submit(const Napi::CallbackInfo& info, std::shared_ptr<Request> request, const Napi::Value& options,
                     const Napi::Value& callback);

  std::shared_ptr<Engine> engine_;
  Bridge* bridge_ = nullptr;  // owned by the thread-safe function; unusable once closed_
  bool closed_ = false;
  uint32_t next_ticket_ = 1;
};

}  // namespace crossrank

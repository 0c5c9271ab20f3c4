// NativeModel: copies JS strings to UTF-8 on the main thread, hands work to the threadpool, settles calls via a TSFN.
#include "model_wrap.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "addon_data.h"
#include "errors.h"
#include "js_error.h"
#include "ort_library.h"
#include "tokenizer_wrap.h"

namespace crossrank {
namespace {

struct Pending {
  Napi::FunctionReference callback;
  std::shared_ptr<Request> request;
};

void CallJs(Napi::Env env, Napi::Function, Bridge* bridge, Completion* completion);
using CompletionChannel = Napi::TypedThreadSafeFunction<Bridge, Completion, CallJs>;

}  // namespace

// Main-thread side of one engine; lives until its thread-safe function is finalized.
struct Bridge {
  napi_env env = nullptr;
  std::shared_ptr<Engine> engine;
  std::unordered_map<uint32_t, Pending> pending;
  std::vector<Napi::FunctionReference> on_closed;
  CompletionChannel channel;
  bool hook_registered = false;
};

namespace {

void TeardownHook(void* arg) {
  auto* bridge = static_cast<Bridge*>(arg);
  bridge->hook_registered = false;
  bridge->engine->Shutdown();
}

// The session is gone: run close callbacks and let the channel (and with it the bridge) go.
void OnClosed(Bridge* bridge) {
  if (bridge->hook_registered) {
    napi_remove_env_cleanup_hook(bridge->env, TeardownHook, bridge);
    bridge->hook_registered = false;
  }
  std::vector<Napi::FunctionReference> callbacks = std::move(bridge->on_closed);
  bridge->channel.Release();
  for (auto& callback : callbacks) callback.Call({});
}

void CallJs(Napi::Env env, Napi::Function, Bridge* bridge, Completion* completion) {
  std::unique_ptr<Completion> owned(completion);
  if (env == nullptr) return;
  if (!owned->request) {
    OnClosed(bridge);
    return;
  }
  auto found = bridge->pending.find(owned->request->ticket);
  if (found == bridge->pending.end()) return;  // cancelled: the caller has already rejected
  Pending entry = std::move(found->second);
  bridge->pending.erase(found);
  const Request& request = *owned->request;
  try {
    if (!request.error_code.empty()) {
      entry.callback.Call({CodedError(env, request.error_code, request.error_message).Value()});
      return;
    }
    Napi::Float32Array scores = Napi::Float32Array::New(env, request.results.size());
    if (!request.results.empty()) std::memcpy(scores.Data(), request.results.data(), request.results.size() * sizeof(float));
    entry.callback.Call({env.Null(), scores});
  } catch (const Napi::Error& e) {
    // A throwing callback must surface as an uncaught exception, not unwind through libuv.
    napi_fatal_exception(env, e.Value());
  }
}

// Runs Engine::Process on the threadpool; everything it settles travels through the channel.
class ProcessWorker : public Napi::AsyncWorker {
 public:
  ProcessWorker(Napi::Env env, std::shared_ptr<Engine> engine, std::shared_ptr<Request> request)
      : Napi::AsyncWorker(env, "crossrank:score"), engine_(std::move(engine)), request_(std::move(request)) {}
  void Execute() override { engine_->Process(request_); }

 private:
  std::shared_ptr<Engine> engine_;
  std::shared_ptr<Request> request_;
};

// Creates the ONNX Runtime session on the threadpool: loading and optimizing a graph takes hundreds of ms.
class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, std::shared_ptr<const Tokenizer> tokenizer, SessionOptions options, BatchLimits limits)
      : Napi::AsyncWorker(env, "crossrank:load"),
        deferred_(Napi::Promise::Deferred::New(env)),
        tokenizer_(std::move(tokenizer)),
        options_(std::move(options)),
        limits_(limits) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      engine_ = std::make_shared<Engine>(tokenizer_, std::make_unique<Session>(options_), limits_);
    } catch (const Error& e) {
      code_ = e.code();
      message_ = e.what();
    } catch (const std::exception& e) {
      code_ = code::kModelLoad;
      message_ = e.what();
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (!engine_) {
      deferred_.Reject(CodedError(env, code_, message_).Value());
      return;
    }
    auto* holder = new std::shared_ptr<Engine>(std::move(engine_));
    Napi::External<std::shared_ptr<Engine>> external = Napi::External<std::shared_ptr<Engine>>::New(
        env, holder, [](Napi::Env, std::shared_ptr<Engine>* p) { delete p; });
    deferred_.Resolve(GetAddonData(env).model_constructor.New({external}));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  SessionOptions options_;
  BatchLimits limits_;
  std::shared_ptr<Engine> engine_;
  std::string code_;
  std::string message_;
};

size_t ReadSize(const Napi::Object& options, const char* name) {
  Napi::Value value = options.Get(name);
  if (!value.IsNumber()) throw Napi::TypeError::New(options.Env(), std::string("Expected a number for ") + name);
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0) || number > 9.0e15) throw Napi::RangeError::New(options.Env(), std::string("Out of range: ") + name);
  return static_cast<size_t>(number);
}

Napi::Value CreateModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<const Tokenizer> tokenizer = TokenizerWrap::Unwrap(info[0]);
  if (!info[1].IsObject()) throw Napi::TypeError::New(env, "createModel: expected an options object");
  Napi::Object options = info[1].As<Napi::Object>();
  SessionOptions session;
  session.model_path = options.Get("modelPath").As<Napi::String>().Utf8Value();
  session.intra_op_threads = static_cast<int>(ReadSize(options, "threads"));
  session.num_labels_hint = static_cast<int64_t>(ReadSize(options, "numLabelsHint"));
  session.runtime_path = LoadedRuntimePath();
  session.fallback = options.Get("fallback").ToBoolean().Value();
  session.max_length = static_cast<int64_t>(ReadSize(options, "maxLength"));
  Napi::Value providers = options.Get("providers");
  if (!providers.IsArray()) throw Napi::TypeError::New(env, "createModel: expected an array of providers");
  Napi::Array list = providers.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Object entry = list.Get(i).As<Napi::Object>();
    ProviderRequest request{entry.Get("name").As<Napi::String>().Utf8Value(), {}};
    Napi::Object provider_options = entry.Get("options").As<Napi::Object>();
    Napi::Array keys = provider_options.GetPropertyNames();
    for (uint32_t k = 0; k < keys.Length(); ++k) {
      std::string key = keys.Get(k).As<Napi::String>().Utf8Value();
      request.options.emplace_back(key, provider_options.Get(key).ToString().Utf8Value());
    }
    session.providers.push_back(std::move(request));
  }
  BatchLimits limits;
  limits.max_batch_tokens = ReadSize(options, "maxBatchTokens");
  limits.max_batch_size = ReadSize(options, "maxBatchSize");
  limits.max_queued_pairs = ReadSize(options, "maxQueuedPairs");
  limits.length_bucket = std::max<size_t>(1, ReadSize(options, "lengthBucket"));
  limits.max_inflight_batches = std::max<size_t>(1, ReadSize(options, "maxInflightBatches"));
  limits.run_cost_tokens = ReadSize(options, "runCostTokens");
  session.max_batch_size = static_cast<int64_t>(limits.max_batch_size);
  auto* worker = new LoadWorker(env, std::move(tokenizer), std::move(session), limits);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// process.exit() joins the threadpool before any environment cleanup: stop every runner first.
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  for (const auto& weak : GetAddonData(info.Env()).engines) {
    if (auto engine = weak.lock()) engine->Shutdown();
  }
  return info.Env().Undefined();
}

Napi::Value AvailableProvidersJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (LoadedRuntimePath().empty()) throw Napi::Error::New(env, "availableProviders: load ONNX Runtime first");
  const std::vector<std::string> names = AvailableProviders();
  Napi::Array out = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); ++i) out.Set(i, names[i]);
  return out;
}

}  // namespace

void ModelWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = DefineClass(env, "NativeModel",
                                           {
                                               InstanceMethod<&ModelWrap::Score>("score"),
                                               InstanceMethod<&ModelWrap::Rank>("rank"),
                                               InstanceMethod<&ModelWrap::Cancel>("cancel"),
                                               InstanceMethod<&ModelWrap::Close>("close"),
                                               InstanceAccessor<&ModelWrap::NumLabels>("numLabels"),
                                               InstanceAccessor<&ModelWrap::InputNames>("inputNames"),
                                               InstanceAccessor<&ModelWrap::Provider>("executionProvider"),
                                               InstanceAccessor<&ModelWrap::FallbackReason>("fallbackReason"),
                                               InstanceAccessor<&ModelWrap::HostMemory>("hostMemory"),
                                               InstanceAccessor<&ModelWrap::BatchStats>("batchStats"),
                                           });
  GetAddonData(env).model_constructor = Napi::Persistent(constructor);
  exports.Set("createModel", Napi::Function::New(env, CreateModel, "createModel"));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown, "shutdown"));
  exports.Set("availableProviders", Napi::Function::New(env, AvailableProvidersJs, "availableProviders"));
}

ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsExternal()) throw Napi::TypeError::New(env, "NativeModel is created by createModel()");
  engine_ = *info[0].As<Napi::External<std::shared_ptr<Engine>>>().Data();
  bridge_ = new Bridge();
  bridge_->env = env;
  bridge_->engine = engine_;
  bridge_->channel = CompletionChannel::New(env, "crossrank:completion", 0, 1, bridge_,
                                            [](Napi::Env, void*, Bridge* bridge) { delete bridge; });
  bridge_->channel.Unref(env);
  CompletionChannel channel = bridge_->channel;
  engine_->SetNotifier([channel](Completion* completion) {
    if (channel.NonBlockingCall(completion) != napi_ok) delete completion;
  });
  napi_add_env_cleanup_hook(env, TeardownHook, bridge_);
  bridge_->hook_registered = true;
  auto& engines = GetAddonData(env).engines;
  engines.erase(std::remove_if(engines.begin(), engines.end(), [](const auto& e) { return e.expired(); }), engines.end());
  engines.push_back(engine_);
}

ModelWrap::~ModelWrap() {
  // Garbage-collected without close(): free the session; at environment teardown the hook already did.
  if (closed_ || engine_->shut_down()) return;
  closed_ = true;
  if (engine_->Close()) OnClosed(bridge_);
}

Napi::Value ModelWrap::Submit(const Napi::CallbackInfo& info, std::shared_ptr<Request> request,
                              const Napi::Value& options_value, const Napi::Value& callback) {
  Napi::Env env = info.Env();
  if (!options_value.IsObject()) throw Napi::TypeError::New(env, "Expected an options object");
  if (!callback.IsFunction()) throw Napi::TypeError::New(env, "Expected a callback function");
  Napi::Object options = options_value.As<Napi::Object>();
  request->max_length = ReadSize(options, "maxLength");
  const size_t truncation = ReadSize(options, "truncation");
  const size_t activation = ReadSize(options, "activation");
  if (truncation > 2 || activation > 2 || request->max_length < 3) {
    throw Napi::RangeError::New(env, "Invalid truncation, activation or maxLength");
  }
  request->truncation = static_cast<TruncationStrategy>(truncation);
  request->activation = static_cast<Activation>(activation);
  request->num_labels = engine_->num_labels();
  request->ticket = next_ticket_++;
  if (closed_) throw CodedError(env, code::kClosed, "The model is closed; load it again to score");
  try {
    engine_->Admit(*request);
  } catch (const Error& e) {
    throw CodedError(env, e.code(), e.what());
  }
  bridge_->pending.emplace(request->ticket, Pending{Napi::Persistent(callback.As<Napi::Function>()), request});
  (new ProcessWorker(env, engine_, request))->Queue();
  return Napi::Number::New(env, request->ticket);
}

namespace {

void CopyStrings(const Napi::Array& array, std::vector<std::string>& out, const char* what) {
  const uint32_t length = array.Length();
  for (uint32_t i = 0; i < length; ++i) {
    Napi::Value value = array.Get(i);
    if (!value.IsString()) {
      throw Napi::TypeError::New(array.Env(), std::string("Expected a string at ") + what + "[" + std::to_string(i) + "]");
    }
    out.push_back(value.As<Napi::String>().Utf8Value());
  }
}

}  // namespace

Napi::Value ModelWrap::Score(const Napi::CallbackInfo& info) {
  if (!info[0].IsArray()) throw Napi::TypeError::New(info.Env(), "score: expected an array of texts");
  Napi::Array texts = info[0].As<Napi::Array>();
  if (texts.Length() % 2 != 0) throw Napi::TypeError::New(info.Env(), "score: expected an even number of texts");
  auto request = std::make_shared<Request>();
  request->texts.reserve(texts.Length());
  CopyStrings(texts, request->texts, "texts");
  request->count = texts.Length() / 2;
  return Submit(info, std::move(request), info[1], info[2]);
}

Napi::Value ModelWrap::Rank(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "rank: expected a query string");
  if (!info[1].IsArray()) throw Napi::TypeError::New(info.Env(), "rank: expected an array of documents");
  Napi::Array documents = info[1].As<Napi::Array>();
  auto request = std::make_shared<Request>();
  request->is_rank = true;
  request->texts.reserve(documents.Length() + 1);
  request->texts.push_back(info[0].As<Napi::String>().Utf8Value());
  CopyStrings(documents, request->texts, "documents");
  request->count = documents.Length();
  return Submit(info, std::move(request), info[2], info[3]);
}

Napi::Value ModelWrap::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_ || !info[0].IsNumber()) return Napi::Boolean::New(env, false);
  auto found = bridge_->pending.find(info[0].As<Napi::Number>().Uint32Value());
  if (found == bridge_->pending.end()) return Napi::Boolean::New(env, false);
  const bool cancelled = engine_->Cancel(found->second.request);
  if (cancelled) bridge_->pending.erase(found);
  return Napi::Boolean::New(env, cancelled);
}

Napi::Value ModelWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "close: expected a callback");
  Napi::Function callback = info[0].As<Napi::Function>();
  if (closed_) {
    callback.Call({});
    return env.Undefined();
  }
  closed_ = true;
  bridge_->on_closed.push_back(Napi::Persistent(callback));
  if (engine_->Close()) OnClosed(bridge_);
  return env.Undefined();
}

Napi::Value ModelWrap::NumLabels(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(engine_->num_labels()));
}

Napi::Value ModelWrap::Provider(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), engine_->provider());
}

Napi::Value ModelWrap::FallbackReason(const Napi::CallbackInfo& info) {
  const std::string& reason = engine_->fallback_reason();
  return reason.empty() ? info.Env().Undefined() : Napi::String::New(info.Env(), reason);
}

Napi::Value ModelWrap::HostMemory(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), engine_->host_memory());
}

Napi::Value ModelWrap::BatchStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const crossrank::BatchStats stats = engine_->batch_stats();
  Napi::Object out = Napi::Object::New(env);
  // Doubles hold integers exactly up to 2^53: beyond any count a process reaches.
  out.Set("batches", static_cast<double>(stats.batches));
  out.Set("pairs", static_cast<double>(stats.pairs));
  out.Set("tokens", static_cast<double>(stats.tokens));
  out.Set("paddedTokens", static_cast<double>(stats.padded_tokens));
  return out;
}

Napi::Value ModelWrap::InputNames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& names = engine_->input_names();
  Napi::Array out = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); ++i) out.Set(i, names[i]);
  return out;
}

}  // namespace crossrank

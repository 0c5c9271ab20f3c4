// JS <-> C++ conversion for the tokenizer; batch encoding runs on the libuv threadpool.
#include "tokenizer_wrap.h"

#include <chrono>
#include <string>
#include <vector>

#include "addon_data.h"
#include "errors.h"
#include "js_error.h"
#include "tokenizer/tokenizer_json.h"

namespace crossrank {
namespace {

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError err = Napi::TypeError::New(env, message);
  err.Set("code", code::kInvalidArgType);
  throw err;
}

TruncationStrategy StrategyFrom(Napi::Env env, Napi::Value v) {
  if (!v.IsString()) ThrowTypeError(env, "Expected a string for truncation");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "longest_first") return TruncationStrategy::kLongestFirst;
  if (s == "only_first") return TruncationStrategy::kOnlyFirst;
  if (s == "only_second") return TruncationStrategy::kOnlySecond;
  ThrowTypeError(env, "Expected 'longest_first', 'only_first' or 'only_second' for truncation but received '" + s + "'");
}

size_t MaxLengthFrom(Napi::Env env, Napi::Value v) {
  if (!v.IsNumber()) ThrowTypeError(env, "Expected a number for maxLength");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 1 && d <= 1e9) || d != static_cast<double>(static_cast<int64_t>(d))) {
    Napi::RangeError err = Napi::RangeError::New(env, "Expected an integer between 1 and 1e9 for maxLength");
    err.Set("code", code::kOutOfRange);
    throw err;
  }
  return static_cast<size_t>(d);
}

std::vector<std::string> StringsFrom(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsArray()) ThrowTypeError(env, std::string("Expected an array of strings for ") + name);
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value s = arr.Get(i);
    if (!s.IsString()) ThrowTypeError(env, std::string("Expected an array of strings for ") + name);
    out.push_back(s.As<Napi::String>().Utf8Value());
  }
  return out;
}

Napi::Object ToJs(Napi::Env env, const Encoding& e) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Int32Array ids = Napi::Int32Array::New(env, e.ids.size());
  Napi::Int32Array types = Napi::Int32Array::New(env, e.type_ids.size());
  std::copy(e.ids.begin(), e.ids.end(), ids.Data());
  std::copy(e.type_ids.begin(), e.type_ids.end(), types.Data());
  o.Set("ids", ids);
  o.Set("typeIds", types);
  return o;
}

// Encodes many pairs off the main thread; a pair that fails carries its own coded error.
class EncodePairsWorker : public Napi::AsyncWorker {
 public:
  EncodePairsWorker(Napi::Env env, std::shared_ptr<const Tokenizer> tokenizer, std::vector<std::string> firsts,
                    std::vector<std::string> seconds, size_t max_length, TruncationStrategy strategy)
      : Napi::AsyncWorker(env, "crossrank:encodePairs"),
        deferred_(Napi::Promise::Deferred::New(env)),
        tokenizer_(std::move(tokenizer)),
        firsts_(std::move(firsts)),
        seconds_(std::move(seconds)),
        max_length_(max_length),
        strategy_(strategy),
        results_(firsts_.size()) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    TextTokens a, b;
    for (size_t i = 0; i < firsts_.size(); ++i) {
      try {
        tokenizer_->Tokenize(firsts_[i], max_length_, a);
        tokenizer_->Tokenize(seconds_[i], max_length_, b);
        tokenizer_->EncodePair(a, b, max_length_, strategy_, results_[i].encoding);
      } catch (const Error& e) {
        results_[i].code = e.code();
        results_[i].message = e.what();
      } catch (const std::exception& e) {
        results_[i].code = code::kTokenizer;
        results_[i].message = e.what();
      }
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array out = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) {
      const Result& r = results_[i];
      if (r.code.empty()) {
        out.Set(static_cast<uint32_t>(i), ToJs(env, r.encoding));
      } else {
        out.Set(static_cast<uint32_t>(i), CodedError(env, r.code, r.message).Value());
      }
    }
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  struct Result {
    Encoding encoding;
    std::string code;
    std::string message;
  };
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  std::vector<std::string> firsts_, seconds_;
  size_t max_length_;
  TruncationStrategy strategy_;
  std::vector<Result> results_;
};

// Parses tokenizer.json and builds the tokenizer off the main thread: a 250k-piece vocabulary takes a while.
class CreateTokenizerWorker : public Napi::AsyncWorker {
 public:
  CreateTokenizerWorker(Napi::Env env, std::string json, PadHint pad)
      : Napi::AsyncWorker(env, "crossrank:createTokenizer"),
        deferred_(Napi::Promise::Deferred::New(env)),
        json_(std::move(json)),
        pad_(std::move(pad)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      tokenizer_ = LoadTokenizerJson(json_, pad_);
    } catch (const Error& e) {
      code_ = e.code();
      message_ = e.what();
    } catch (const std::exception& e) {
      code_ = code::kTokenizer;
      message_ = e.what();
    }
    std::string().swap(json_);
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (!code_.empty()) {
      deferred_.Reject(CodedError(env, code_, message_).Value());
      return;
    }
    AddonData& data = GetAddonData(env);
    data.pending_tokenizer = std::move(tokenizer_);
    Napi::Object object = data.tokenizer_constructor.New({});
    deferred_.Resolve(object);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string json_;
  PadHint pad_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  std::string code_, message_;
};

// createTokenizer({ json, padToken?, padId? }): a Promise of a Tokenizer object.
Napi::Value CreateTokenizer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowTypeError(env, "Expected a tokenizer spec object");
  Napi::Object spec = info[0].As<Napi::Object>();
  Napi::Value json = spec.Get("json");
  if (!json.IsString()) ThrowTypeError(env, "Expected a string for spec.json");
  PadHint pad;
  Napi::Value pad_token = spec.Get("padToken");
  if (pad_token.IsString()) pad.token = pad_token.As<Napi::String>().Utf8Value();
  Napi::Value pad_id = spec.Get("padId");
  if (pad_id.IsNumber()) pad.id = pad_id.As<Napi::Number>().Int32Value();
  auto* worker = new CreateTokenizerWorker(env, json.As<Napi::String>().Utf8Value(), std::move(pad));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void TokenizerWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "Tokenizer",
                                    {
                                        InstanceMethod<&TokenizerWrap::EncodePair>("encodePair"),
                                        InstanceMethod<&TokenizerWrap::EncodePairs>("encodePairs"),
                                        InstanceMethod<&TokenizerWrap::TimeEncodePairs>("timeEncodePairs"),
                                        InstanceMethod<&TokenizerWrap::PadId>("padId"),
                                    });
  GetAddonData(env).tokenizer_constructor = Napi::Persistent(ctor);
  exports.Set("Tokenizer", ctor);
  exports.Set("createTokenizer", Napi::Function::New(env, CreateTokenizer, "createTokenizer"));
}

std::shared_ptr<const Tokenizer> TokenizerWrap::Unwrap(Napi::Value value) {
  Napi::Env env = value.Env();
  const Napi::FunctionReference& ctor = GetAddonData(env).tokenizer_constructor;
  if (ctor.IsEmpty() || !value.IsObject() || !value.As<Napi::Object>().InstanceOf(ctor.Value())) {
    ThrowTypeError(env, "Expected a crossrank Tokenizer");
  }
  return Napi::ObjectWrap<TokenizerWrap>::Unwrap(value.As<Napi::Object>())->tokenizer_;
}

TokenizerWrap::TokenizerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TokenizerWrap>(info) {
  Napi::Env env = info.Env();
  // Only createTokenizer makes these: it hands the built tokenizer over through the addon data.
  tokenizer_ = std::move(GetAddonData(env).pending_tokenizer);
  if (!tokenizer_) ThrowTypeError(env, "Tokenizer objects come from createTokenizer(spec)");
}

Napi::Value TokenizerWrap::EncodePair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString()) ThrowTypeError(env, "Expected two strings");
  const size_t max_length = MaxLengthFrom(env, info[2]);
  const TruncationStrategy strategy = StrategyFrom(env, info[3]);
  std::string a = info[0].As<Napi::String>().Utf8Value();
  std::string b = info[1].As<Napi::String>().Utf8Value();
  Encoding enc;
  try {
    tokenizer_->EncodePair(a, b, max_length, strategy, enc);
  } catch (const Error& e) {
    throw CodedError(env, e.code(), e.what());
  }
  return ToJs(env, enc);
}

namespace {

// The arguments shared by encodePairs and timeEncodePairs: (firsts, seconds, maxLength, truncation).
struct PairsArguments {
  std::vector<std::string> firsts;
  std::vector<std::string> seconds;
  size_t max_length;
  TruncationStrategy strategy;
};

PairsArguments PairsFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PairsArguments args{StringsFrom(env, info[0], "firsts"), StringsFrom(env, info[1], "seconds"), 0,
                      TruncationStrategy::kLongestFirst};
  if (args.firsts.size() != args.seconds.size()) ThrowTypeError(env, "Expected as many first texts as second texts");
  args.max_length = MaxLengthFrom(env, info[2]);
  args.strategy = StrategyFrom(env, info[3]);
  return args;
}

}  // namespace

Napi::Value TokenizerWrap::EncodePairs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PairsArguments args = PairsFrom(info);
  auto* worker = new EncodePairsWorker(env, tokenizer_, std::move(args.firsts), std::move(args.seconds), args.max_length,
                                       args.strategy);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// Benchmark entry: encodes the pairs `rounds` times on this thread and returns the seconds spent (no JS in the loop).
Napi::Value TokenizerWrap::TimeEncodePairs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const PairsArguments args = PairsFrom(info);
  const auto& [firsts, seconds, max_length, strategy] = args;
  const int rounds = info[4].IsNumber() ? info[4].As<Napi::Number>().Int32Value() : 1;
  TextTokens a, b;
  Encoding enc;
  size_t checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  try {
    for (int r = 0; r < rounds; ++r) {
      for (size_t i = 0; i < firsts.size(); ++i) {
        tokenizer_->Tokenize(firsts[i], max_length, a);
        tokenizer_->Tokenize(seconds[i], max_length, b);
        tokenizer_->EncodePair(a, b, max_length, strategy, enc);
        checksum += enc.ids.size();
      }
    }
  } catch (const Error& e) {
    throw CodedError(env, e.code(), e.what());
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  Napi::Object out = Napi::Object::New(env);
  out.Set("seconds", elapsed.count());
  out.Set("tokens", static_cast<double>(checksum));
  return out;
}

Napi::Value TokenizerWrap::PadId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), tokenizer_->pad_id());
}

}  // namespace crossrank

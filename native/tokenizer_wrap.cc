// JS <-> C++ conversion for the tokenizer; batch encoding runs on the libuv threadpool.
#include "tokenizer_wrap.h"

#include <chrono>
#include <string>
#include <vector>

#include "addon_data.h"
#include "errors.h"
#include "js_error.h"

namespace crossrank {
namespace {

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError err = Napi::TypeError::New(env, message);
  err.Set("code", code::kInvalidArgType);
  throw err;
}

bool GetBool(Napi::Object o, const char* name) { return o.Get(name).ToBoolean().Value(); }

int32_t GetInt(Napi::Object o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) ThrowTypeError(o.Env(), std::string("Expected a number for spec.") + name);
  return v.As<Napi::Number>().Int32Value();
}

std::string GetString(Napi::Object o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsString()) ThrowTypeError(o.Env(), std::string("Expected a string for spec.") + name);
  return v.As<Napi::String>().Utf8Value();
}

Napi::Array GetArray(Napi::Object o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsArray()) ThrowTypeError(o.Env(), std::string("Expected an array for spec.") + name);
  return v.As<Napi::Array>();
}

TokenizerConfig ConfigFromSpec(Napi::Object spec) {
  Napi::Env env = spec.Env();
  TokenizerConfig c;
  Napi::Array vocab = GetArray(spec, "vocab");
  Napi::Value ids_value = spec.Get("vocabIds");
  if (!ids_value.IsTypedArray() || ids_value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    ThrowTypeError(env, "Expected an Int32Array for spec.vocabIds");
  }
  Napi::Int32Array ids = ids_value.As<Napi::Int32Array>();
  if (ids.ElementLength() != vocab.Length()) ThrowTypeError(env, "spec.vocab and spec.vocabIds differ in length");
  c.wordpiece.tokens.reserve(vocab.Length());
  for (uint32_t i = 0; i < vocab.Length(); ++i) {
    Napi::Value t = vocab.Get(i);
    if (!t.IsString()) ThrowTypeError(env, "Expected strings in spec.vocab");
    c.wordpiece.tokens.push_back(t.As<Napi::String>().Utf8Value());
  }
  c.wordpiece.ids.assign(ids.Data(), ids.Data() + ids.ElementLength());
  c.wordpiece.unk_token = GetString(spec, "unkToken");
  c.wordpiece.continuing_subword_prefix = GetString(spec, "continuingSubwordPrefix");
  c.wordpiece.max_input_chars_per_word = static_cast<size_t>(GetInt(spec, "maxInputCharsPerWord"));

  Napi::Value norm_value = spec.Get("normalizer");
  if (norm_value.IsObject()) {
    Napi::Object n = norm_value.As<Napi::Object>();
    c.normalizer.clean_text = GetBool(n, "cleanText");
    c.normalizer.handle_chinese_chars = GetBool(n, "handleChineseChars");
    c.normalizer.strip_accents = GetBool(n, "stripAccents");
    c.normalizer.lowercase = GetBool(n, "lowercase");
  }
  Napi::Array added = GetArray(spec, "addedTokens");
  for (uint32_t i = 0; i < added.Length(); ++i) {
    Napi::Object t = added.Get(i).As<Napi::Object>();
    c.added_tokens.push_back({GetString(t, "content"), GetInt(t, "id")});
  }
  Napi::Array pieces = GetArray(spec, "pairTemplate");
  for (uint32_t i = 0; i < pieces.Length(); ++i) {
    Napi::Object p = pieces.Get(i).As<Napi::Object>();
    std::string kind = GetString(p, "kind");
    TemplatePiece piece{TemplatePiece::Kind::kSpecial, {}, GetInt(p, "typeId")};
    if (kind == "A") {
      piece.kind = TemplatePiece::Kind::kFirst;
    } else if (kind == "B") {
      piece.kind = TemplatePiece::Kind::kSecond;
    } else {
      Napi::Array pids = GetArray(p, "ids");
      for (uint32_t k = 0; k < pids.Length(); ++k) piece.ids.push_back(pids.Get(k).As<Napi::Number>().Int32Value());
    }
    c.pair_template.push_back(std::move(piece));
  }
  c.pad_id = GetInt(spec, "padId");
  return c;
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
  if (!info[0].IsObject()) ThrowTypeError(env, "Expected a tokenizer spec object");
  TokenizerConfig config = ConfigFromSpec(info[0].As<Napi::Object>());
  try {
    tokenizer_ = std::make_shared<const Tokenizer>(std::move(config));
  } catch (const Error& e) {
    throw CodedError(env, e.code(), e.what());
  }
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

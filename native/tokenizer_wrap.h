// N-API class Tokenizer (made by createTokenizer from a tokenizer.json text, off the main thread) and its pair encoding.
#pragma once
#include <napi.h>

#include <memory>

#include "tokenizer/tokenizer.h"

namespace crossrank {

class TokenizerWrap : public Napi::ObjectWrap<TokenizerWrap> {
 public:
  // Registers the class on exports; its constructor is kept in the env's AddonData (one per worker_thread).
  static void Init(Napi::Env env, Napi::Object exports);
  // The tokenizer behind a JS Tokenizer object; throws a JS TypeError for anything else.
  static std::shared_ptr<const Tokenizer> Unwrap(Napi::Value value);
  using Napi::ObjectWrap<TokenizerWrap>::Unwrap;  // node-addon-api's Unwrap(Napi::Object) stays visible

  explicit TokenizerWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value EncodePair(const Napi::CallbackInfo& info);
  Napi::Value EncodePairs(const Napi::CallbackInfo& info);
  Napi::Value TimeEncodePairs(const Napi::CallbackInfo& info);
  Napi::Value PadId(const Napi::CallbackInfo& info);

  std::shared_ptr<const Tokenizer> tokenizer_;
};

}  // namespace crossrank

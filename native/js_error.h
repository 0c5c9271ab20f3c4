// Turns a native failure into a JS Error carrying the stable `.code` that src/errors.ts maps to CrossrankError.
#pragma once
#include <napi.h>

#include <string>

namespace crossrank {

inline Napi::Error CodedError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", code);
  return error;
}

}  // namespace crossrank

// Coded errors raised by native code; binding/ turns the code into a CrossrankError.
#pragma once
#include <stdexcept>
#include <string>

namespace crossrank {

// Stable error codes shared with src/errors.ts.
namespace code {
inline constexpr const char* kOrtLoad = "ERR_ORT_LOAD";
inline constexpr const char* kOrtVersion = "ERR_ORT_VERSION";
inline constexpr const char* kOrtConflict = "ERR_ORT_CONFLICT";
inline constexpr const char* kModelLoad = "ERR_MODEL_LOAD";
inline constexpr const char* kModelInputs = "ERR_MODEL_INPUTS";
inline constexpr const char* kRun = "ERR_RUN";
inline constexpr const char* kClosed = "ERR_CLOSED";
inline constexpr const char* kQueueFull = "ERR_QUEUE_FULL";
inline constexpr const char* kTruncation = "ERR_TRUNCATION";
inline constexpr const char* kInvalidArgType = "ERR_INVALID_ARG_TYPE";
inline constexpr const char* kOutOfRange = "ERR_OUT_OF_RANGE";
inline constexpr const char* kTokenizer = "ERR_TOKENIZER";
inline constexpr const char* kUnsupportedTokenizer = "ERR_UNSUPPORTED_TOKENIZER";
inline constexpr const char* kProviderUnavailable = "ERR_PROVIDER_UNAVAILABLE";
}  // namespace code

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

}  // namespace crossrank

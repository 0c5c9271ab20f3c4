// MakePreTokenizer: the tokenizer.json "pre_tokenizer" object to its implementation, keyed on "type".
#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/utf8.h"

namespace crossrank {

namespace {

bool BoolValue(const nlohmann::json& value, const char* key) {
  if (!value.is_boolean()) throw Error(code::kTokenizer, std::string("pre_tokenizer: \"") + key + "\" must be a boolean");
  return value.get<bool>();
}

}  // namespace

bool RequiredBool(const nlohmann::json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end()) throw Error(code::kTokenizer, std::string("pre_tokenizer: missing field \"") + key + "\"");
  return BoolValue(*it, key);
}

bool DefaultBool(const nlohmann::json& spec, const char* key, bool fallback) {
  auto it = spec.find(key);
  return it == spec.end() ? fallback : BoolValue(*it, key);
}

bool OptionalBool(const nlohmann::json& spec, const char* key, bool fallback) {
  auto it = spec.find(key);
  return it == spec.end() || it->is_null() ? fallback : BoolValue(*it, key);
}

std::string CharOption(const nlohmann::json& spec, const char* key) {
  auto it = spec.find(key);
  if (it != spec.end() && it->is_string()) {
    const std::string& value = it->get_ref<const std::string&>();
    size_t i = 0;
    if (!value.empty()) utf8::Next(reinterpret_cast<const unsigned char*>(value.data()), value.size(), i);
    if (!value.empty() && i == value.size()) return value;
  }
  throw Error(code::kTokenizer, std::string("pre_tokenizer: \"") + key + "\" must be one character");
}

std::unique_ptr<PreTokenizer> MakePreTokenizer(const nlohmann::json& spec) {
  if (spec.is_null()) return nullptr;
  if (!spec.is_object()) throw Error(code::kTokenizer, "pre_tokenizer must be an object or null");
  auto type = spec.find("type");
  if (type == spec.end() || !type->is_string()) throw Error(code::kTokenizer, "pre_tokenizer has no \"type\"");
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "BertPreTokenizer") return MakeBertPreTokenizer(spec);
  if (name == "Whitespace") return MakeWhitespace(spec);
  if (name == "WhitespaceSplit") return MakeWhitespaceSplit(spec);
  if (name == "Metaspace") return MakeMetaspace(spec);
  if (name == "ByteLevel") return MakeByteLevel(spec);
  if (name == "Split") return MakeSplitPreTokenizer(spec);
  if (name == "Punctuation") return MakePunctuation(spec);
  if (name == "Digits") return MakeDigits(spec);
  if (name == "CharDelimiterSplit") return MakeCharDelimiterSplit(spec);
  if (name == "Sequence") return MakeSequence(spec);
  throw Error(code::kUnsupportedTokenizer, "pre_tokenizer \"" + name + "\" is not supported");
}

}  // namespace crossrank

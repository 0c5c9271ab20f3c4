// MakeNormalizer: the tokenizer.json "normalizer" object to its implementation, keyed on "type".
#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/normalizers/normalizers.h"

namespace crossrank {

namespace normalizer_options {

namespace {

[[noreturn]] void Malformed(const char* key, const char* what) {
  throw Error(code::kTokenizer, std::string("normalizer: \"") + key + "\" " + what);
}

}  // namespace

bool RequiredBool(const nlohmann::json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end()) Malformed(key, "is missing");
  if (!it->is_boolean()) Malformed(key, "must be a boolean");
  return it->get<bool>();
}

bool OptionalBool(const nlohmann::json& spec, const char* key, bool fallback) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) Malformed(key, "must be a boolean or null");
  return it->get<bool>();
}

const std::string& RequiredString(const nlohmann::json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end()) Malformed(key, "is missing");
  if (!it->is_string()) Malformed(key, "must be a string");
  return it->get_ref<const std::string&>();
}

}  // namespace normalizer_options

std::unique_ptr<TextNormalizer> MakeNormalizer(const nlohmann::json& spec) {
  if (spec.is_null()) return nullptr;
  if (!spec.is_object()) throw Error(code::kTokenizer, "normalizer must be an object or null");
  auto type = spec.find("type");
  if (type == spec.end() || !type->is_string()) throw Error(code::kTokenizer, "normalizer has no \"type\"");
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "BertNormalizer") return MakeBertNormalizer(spec);
  if (name == "Precompiled") return MakePrecompiled(spec);
  if (name == "NFC") return MakeNfc(spec);
  if (name == "NFD") return MakeNfd(spec);
  if (name == "NFKC") return MakeNfkc(spec);
  if (name == "NFKD") return MakeNfkd(spec);
  if (name == "Lowercase") return MakeLowercase(spec);
  if (name == "Strip") return MakeStrip(spec);
  if (name == "StripAccents") return MakeStripAccents(spec);
  if (name == "Replace") return MakeReplace(spec);
  if (name == "Prepend") return MakePrepend(spec);
  if (name == "Nmt") return MakeNmt(spec);
  if (name == "ByteLevel") return MakeByteLevelNormalizer(spec);
  if (name == "Sequence") return MakeNormalizerSequence(spec);
  throw Error(code::kUnsupportedTokenizer, "normalizer \"" + name + "\" is not supported");
}

}  // namespace crossrank

// Constructors of each normalizer from its tokenizer.json object (one a file), and the option readers they share.
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/components.h"

namespace crossrank {

std::unique_ptr<TextNormalizer> MakeBertNormalizer(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakePrecompiled(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeNfc(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeNfd(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeNfkc(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeNfkd(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeLowercase(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeStrip(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeStripAccents(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeReplace(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakePrepend(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeNmt(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeByteLevelNormalizer(const nlohmann::json& spec);
std::unique_ptr<TextNormalizer> MakeNormalizerSequence(const nlohmann::json& spec);

namespace normalizer_options {

// Fields as the crate's serde reads them; a missing required field or a wrong type throws code::kTokenizer.
bool RequiredBool(const nlohmann::json& spec, const char* key);
// An `Option<bool>`: `fallback` when absent or null.
bool OptionalBool(const nlohmann::json& spec, const char* key, bool fallback);
const std::string& RequiredString(const nlohmann::json& spec, const char* key);

}  // namespace normalizer_options

}  // namespace crossrank

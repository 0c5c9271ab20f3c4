// Constructors of each pre-tokenizer from its tokenizer.json object (one a file), and the option readers they share.
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/components.h"

namespace crossrank {

std::unique_ptr<PreTokenizer> MakeBertPreTokenizer(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeWhitespace(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeWhitespaceSplit(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeMetaspace(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeByteLevel(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeSplitPreTokenizer(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakePunctuation(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeDigits(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeCharDelimiterSplit(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakeSequence(const nlohmann::json& spec);

// Boolean fields as the crate's serde reads them; a wrong type (or a missing required field) throws code::kTokenizer.
bool RequiredBool(const nlohmann::json& spec, const char* key);
// A `#[serde(default)] bool`: `fallback` only when absent (null is an error).
bool DefaultBool(const nlohmann::json& spec, const char* key, bool fallback);
// An `Option<bool>`: `fallback` when absent or null.
bool OptionalBool(const nlohmann::json& spec, const char* key, bool fallback);
// spec[key] as one character (Rust `char`), UTF-8 encoded; absent or not exactly one character throws code::kTokenizer.
std::string CharOption(const nlohmann::json& spec, const char* key);

}  // namespace crossrank

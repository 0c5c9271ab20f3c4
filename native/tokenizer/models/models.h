// Constructors of each model from its tokenizer.json object (one a file), and the field readers they share.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/components.h"

namespace crossrank {

// Each reads the object as the crate's deserializer does ("type" already checked or absent); a malformed object throws
// code::kTokenizer, an option crossrank does not implement throws code::kUnsupportedTokenizer naming it.
std::unique_ptr<Model> MakeUnigram(const nlohmann::json& spec);
std::unique_ptr<Model> MakeBpe(const nlohmann::json& spec);
std::unique_ptr<Model> MakeWordPieceModel(const nlohmann::json& spec);
std::unique_ptr<Model> MakeWordLevel(const nlohmann::json& spec);

// spec[key] as a {"token": id} object (a serde HashMap<String, u32>: later duplicates win); `model` names the part in
// errors. Missing, not an object, or an id that is not a u32 that fits int32_t throws code::kTokenizer.
std::vector<std::pair<std::string, int32_t>> TokenIdMap(const nlohmann::json& spec, const char* key, const char* model);
// An `Option<String>` field: nullopt when absent or null; another type throws code::kTokenizer.
std::optional<std::string> OptionalString(const nlohmann::json& spec, const char* key, const char* model);
// A required `String` field.
std::string RequiredString(const nlohmann::json& spec, const char* key, const char* model);
// An `Option<bool>` field read with `if let Some(v)`: `fallback` when absent or null.
bool OptionalModelBool(const nlohmann::json& spec, const char* key, bool fallback, const char* model);

}  // namespace crossrank

// MakeModel: the tokenizer.json "model" object to its implementation, keyed on "type"; an object without "type" (the
// old format, e.g. t5-small, roberta-base) is recognised by its fields in the order the crate's untagged enum tries them.
#include <limits>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/models/models.h"

namespace crossrank {

std::vector<std::pair<std::string, int32_t>> TokenIdMap(const nlohmann::json& spec, const char* key, const char* model) {
  auto it = spec.find(key);
  if (it == spec.end()) throw Error(code::kTokenizer, std::string("model \"") + model + "\": missing field \"" + key + "\"");
  if (!it->is_object()) {
    throw Error(code::kTokenizer, std::string("model \"") + model + "\": \"" + key + "\" must be an object of ids");
  }
  std::vector<std::pair<std::string, int32_t>> entries;
  entries.reserve(it->size());
  for (auto e = it->begin(); e != it->end(); ++e) {
    const nlohmann::json& id = e.value();
    if (!id.is_number_unsigned() || id.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
      throw Error(code::kTokenizer, std::string("model \"") + model + "\": the id of \"" + e.key() + "\" is not a valid id");
    }
    entries.emplace_back(e.key(), static_cast<int32_t>(id.get<uint64_t>()));
  }
  return entries;
}

std::optional<std::string> OptionalString(const nlohmann::json& spec, const char* key, const char* model) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw Error(code::kTokenizer, std::string("model \"") + model + "\": \"" + key + "\" must be a string");
  return it->get<std::string>();
}

std::string RequiredString(const nlohmann::json& spec, const char* key, const char* model) {
  auto it = spec.find(key);
  if (it == spec.end()) throw Error(code::kTokenizer, std::string("model \"") + model + "\": missing field \"" + key + "\"");
  if (!it->is_string()) throw Error(code::kTokenizer, std::string("model \"") + model + "\": \"" + key + "\" must be a string");
  return it->get<std::string>();
}

bool OptionalModelBool(const nlohmann::json& spec, const char* key, bool fallback, const char* model) {
  auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw Error(code::kTokenizer, std::string("model \"") + model + "\": \"" + key + "\" must be a boolean");
  return it->get<bool>();
}

std::unique_ptr<Model> MakeModel(const nlohmann::json& spec) {
  if (spec.is_null()) return nullptr;
  if (!spec.is_object()) throw Error(code::kTokenizer, "model must be an object or null");
  auto type = spec.find("type");
  if (type == spec.end()) {
    // The crate's untagged order: BPE (vocab + merges), WordPiece (all four of its fields), WordLevel, Unigram (a vocab
    // list of [piece, score]).
    auto vocab = spec.find("vocab");
    if (vocab == spec.end()) throw Error(code::kTokenizer, "model has no \"type\" and no \"vocab\"");
    if (vocab->is_array()) return MakeUnigram(spec);
    if (spec.contains("merges")) return MakeBpe(spec);
    if (spec.contains("unk_token") && spec.contains("continuing_subword_prefix") &&
        spec.contains("max_input_chars_per_word")) {
      return MakeWordPieceModel(spec);
    }
    return MakeWordLevel(spec);
  }
  if (!type->is_string()) throw Error(code::kTokenizer, "model \"type\" must be a string");
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "Unigram") return MakeUnigram(spec);
  if (name == "BPE") return MakeBpe(spec);
  if (name == "WordPiece") return MakeWordPieceModel(spec);
  if (name == "WordLevel") return MakeWordLevel(spec);
  throw Error(code::kUnsupportedTokenizer, "model \"" + name + "\" is not supported");
}

}  // namespace crossrank

// TemplateProcessing: the "single" or "pair" template, each piece an input sequence retyped or a special token's ids.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/processors/processors.h"

namespace crossrank {

namespace {

struct Piece {
  bool is_sequence;
  size_t sequence;         // 0 for A, 1 for B
  std::string special_id;  // the key into special_tokens
  int32_t type_id;
};

using SpecialTokens = std::map<std::string, std::vector<int32_t>>;

// One {"Sequence": {...}} or {"SpecialToken": {...}}, a serde externally tagged enum: exactly one key.
std::optional<Piece> ReadPiece(const nlohmann::json& value) {
  if (!value.is_object() || value.size() != 1) return std::nullopt;
  auto entry = value.begin();
  const std::string& kind = entry.key();
  const nlohmann::json& body = entry.value();
  if (!body.is_object()) return std::nullopt;
  auto id = body.find("id");
  auto type_id = body.find("type_id");
  if (id == body.end() || !id->is_string() || type_id == body.end()) return std::nullopt;
  std::optional<uint32_t> type = ReadU32(*type_id);
  if (!type) return std::nullopt;
  Piece piece{false, 0, {}, NarrowId(*type, "type_id")};
  const std::string& name = id->get_ref<const std::string&>();
  if (kind == "Sequence") {
    if (name != "A" && name != "B") return std::nullopt;
    piece.is_sequence = true;
    piece.sequence = name == "B" ? 1 : 0;
  } else if (kind == "SpecialToken") {
    piece.special_id = name;
  } else {
    return std::nullopt;
  }
  return piece;
}

std::optional<std::vector<Piece>> ReadTemplate(const nlohmann::json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end() || !it->is_array()) return std::nullopt;
  std::vector<Piece> pieces;
  for (const nlohmann::json& value : *it) {
    std::optional<Piece> piece = ReadPiece(value);
    if (!piece) return std::nullopt;
    pieces.push_back(std::move(*piece));
  }
  return pieces;
}

// {"<key>": {"id": String, "ids": [u32], "tokens": [String]}}; the template looks tokens up by the key.
std::optional<SpecialTokens> ReadSpecialTokens(const nlohmann::json& spec) {
  auto it = spec.find("special_tokens");
  if (it == spec.end() || !it->is_object()) return std::nullopt;
  SpecialTokens tokens;
  for (const auto& [key, token] : it->items()) {
    if (!token.is_object()) return std::nullopt;
    auto id = token.find("id");
    auto ids = token.find("ids");
    auto strings = token.find("tokens");
    if (id == token.end() || !id->is_string() || ids == token.end() || !ids->is_array() || strings == token.end() ||
        !strings->is_array()) {
      return std::nullopt;
    }
    for (const nlohmann::json& s : *strings) {
      if (!s.is_string()) return std::nullopt;
    }
    std::vector<int32_t> values;
    for (const nlohmann::json& v : *ids) {
      std::optional<uint32_t> value = ReadU32(v);
      if (!value) return std::nullopt;
      values.push_back(NarrowId(*value, "special token id"));
    }
    tokens[key] = std::move(values);
  }
  return tokens;
}

class TemplateProcessing : public ProcessorStep {
 public:
  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair, SpecialTokens special)
      : single_(std::move(single)), pair_(std::move(pair)), special_(std::move(special)) {}

  size_t AddedTokens(bool is_pair) const override {
    size_t total = 0;
    for (const Piece& piece : is_pair ? pair_ : single_) {
      if (piece.is_sequence) continue;
      auto it = special_.find(piece.special_id);
      if (it != special_.end()) total += it->second.size();  // the crate counts a token it lacks as 0
    }
    return total;
  }

  void Process(std::vector<SymbolicEncoding>& encodings) const override {
    if (encodings.size() != 1 && encodings.size() != 2) {
      throw Error(code::kUnsupportedTokenizer,
                  "post_processor: a TemplateProcessing after a processor that returns " +
                      std::to_string(encodings.size()) + " encodings (the tokenizers crate aborts on it)");
    }
    const std::vector<Piece>& pieces = encodings.size() == 2 ? pair_ : single_;
    std::vector<SymbolicEncoding> out;
    for (const Piece& piece : pieces) {
      if (piece.is_sequence) {
        if (piece.sequence >= encodings.size()) {
          throw Error(code::kTokenizer, "post_processor: the single template uses $B (the tokenizers crate aborts on it)");
        }
        SymbolicEncoding encoding = encodings[piece.sequence];  // a sequence used twice appears twice
        SetTypeIds(encoding, piece.type_id);
        out.push_back(std::move(encoding));
      } else {
        auto it = special_.find(piece.special_id);
        if (it == special_.end()) {
          throw Error(code::kTokenizer, "post_processor: the template uses special token \"" + piece.special_id +
                                            "\" that special_tokens lacks (the tokenizers crate aborts on it)");
        }
        out.push_back({TemplatePiece{TemplatePiece::Kind::kSpecial, it->second, piece.type_id}});
      }
    }
    encodings = std::move(out);
  }

 private:
  std::vector<Piece> single_;
  std::vector<Piece> pair_;
  SpecialTokens special_;
};

}  // namespace

std::unique_ptr<ProcessorStep> TryTemplateProcessing(const nlohmann::json& spec) {
  std::optional<std::vector<Piece>> single = ReadTemplate(spec, "single");
  std::optional<std::vector<Piece>> pair = ReadTemplate(spec, "pair");
  std::optional<SpecialTokens> special = ReadSpecialTokens(spec);
  if (!single || !pair || !special) return nullptr;
  return std::make_unique<TemplateProcessing>(std::move(*single), std::move(*pair), std::move(*special));
}

}  // namespace crossrank

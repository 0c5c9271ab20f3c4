// The four component interfaces of the Hugging Face tokenizers pipeline, as crossrank runs them (ids only, no offsets).
// Each concrete component lives in its own file under normalizers/, pre_tokenizers/, models/ or processors/ and is
// built from its tokenizer.json object by that folder's factory (e.g. normalizers/factory.cc).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace crossrank {

// Rewrites one segment of text (the text between two added tokens) in place, as the crate's NormalizedString does.
class TextNormalizer {
 public:
  virtual ~TextNormalizer() = default;
  virtual void Normalize(std::string& text) const = 0;
};

// One piece of a pre-tokenized segment. `at_start` is true only for a piece that begins at original offset 0 of the
// whole input (the crate's `offsets_original().0 == 0`, used by Metaspace's prepend_scheme "first").
struct Split {
  std::string text;
  bool at_start = false;
};

// Splits pieces into smaller pieces; pre-tokenizers see only text, never added tokens.
class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `splits` with the pieces each one splits into, in order; empty pieces are dropped, as in the crate.
  virtual void PreTokenize(std::vector<Split>& splits) const = 0;
};

// Turns one pre-tokenized piece into ids (WordPiece, Unigram, BPE).
class Model {
 public:
  virtual ~Model() = default;
  virtual void Tokenize(std::string_view piece, std::vector<int32_t>& ids) const = 0;
  virtual std::optional<int32_t> TokenToId(std::string_view token) const = 0;
};

// One item of a post-processor's template: special ids, or the first / second sequence, each with its type id.
struct TemplatePiece {
  enum class Kind { kSpecial, kFirst, kSecond };
  Kind kind;
  std::vector<int32_t> ids;  // kSpecial only
  int32_t type_id;
};

// Factories keyed on "type" (each in its folder's factory.cc). A JSON null gives nullptr (the component is absent); a
// type or option crossrank does not implement throws Error(code::kUnsupportedTokenizer) naming it, and a malformed
// object throws Error(code::kTokenizer): never a component that would give other ids than the crate.
std::unique_ptr<TextNormalizer> MakeNormalizer(const nlohmann::json& spec);
std::unique_ptr<PreTokenizer> MakePreTokenizer(const nlohmann::json& spec);
std::unique_ptr<Model> MakeModel(const nlohmann::json& spec);

}  // namespace crossrank

// WordPiece as a pipeline Model: the fast path's greedy longest-match WordPiece (tokenizer/wordpiece.h) behind the
// Model interface, read from tokenizer.json as the crate's WordPiece deserializer reads it.
#include <limits>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/models/models.h"
#include "tokenizer/utf8.h"
#include "tokenizer/wordpiece.h"

namespace crossrank {
namespace {

// Stands in for an unk token the vocabulary lacks: the crate only fails when a word needs it, so does this model.
constexpr int32_t kAbsentUnk = std::numeric_limits<int32_t>::max();

class WordPieceModel : public Model {
 public:
  WordPieceModel(const WordPieceOptions& options, bool unk_absent, std::string unk_token)
      : wordpiece_(options), unk_absent_(unk_absent), unk_token_(std::move(unk_token)) {
    std::vector<std::pair<std::string_view, int32_t>> entries;
    entries.reserve(options.tokens.size());
    for (size_t i = 0; i < options.tokens.size(); ++i) {
      if (!(unk_absent && options.ids[i] == kAbsentUnk)) entries.emplace_back(options.tokens[i], options.ids[i]);
    }
    vocab_.Build(entries);
  }

  void Tokenize(std::string_view piece, std::vector<int32_t>& ids) const override {
    if (piece.empty()) return;
    const size_t first = ids.size();
    const unsigned char* bytes = reinterpret_cast<const unsigned char*>(piece.data());
    std::vector<uint32_t> offsets;
    size_t i = 0;
    while (i < piece.size() && offsets.size() <= wordpiece_.max_input_chars_per_word()) {
      offsets.push_back(static_cast<uint32_t>(i));
      utf8::Next(bytes, piece.size(), i);
    }
    if (i < piece.size()) {
      wordpiece_.Tokenize(piece, nullptr, offsets.size() + 1, ids);  // over the limit: one unk, offsets unread
    } else {
      const size_t n_chars = offsets.size();
      offsets.push_back(static_cast<uint32_t>(piece.size()));
      wordpiece_.Tokenize(piece, offsets.data(), n_chars, ids);
    }
    if (unk_absent_ && ids.size() > first && ids.back() == kAbsentUnk) {
      ids.resize(first);
      throw Error(code::kTokenizer, "WordPiece error: Missing " + unk_token_ + " token from the vocabulary");
    }
  }

  std::optional<int32_t> TokenToId(std::string_view token) const override {
    const int32_t id = vocab_.Find(token);
    if (id == Vocab::kMissing) return std::nullopt;
    return id;
  }

 private:
  WordPiece wordpiece_;
  Vocab vocab_;
  bool unk_absent_;
  std::string unk_token_;
};

}  // namespace

std::unique_ptr<Model> MakeWordPieceModel(const nlohmann::json& spec) {
  // Every field but "type" is required by the crate's WordPiece deserializer.
  WordPieceOptions options;
  options.unk_token = RequiredString(spec, "unk_token", "WordPiece");
  options.continuing_subword_prefix = RequiredString(spec, "continuing_subword_prefix", "WordPiece");
  auto max_chars = spec.find("max_input_chars_per_word");
  if (max_chars == spec.end()) throw Error(code::kTokenizer, "model \"WordPiece\": missing field \"max_input_chars_per_word\"");
  if (!max_chars->is_number_unsigned()) {
    throw Error(code::kTokenizer, "model \"WordPiece\": max_input_chars_per_word must be a non-negative integer");
  }
  options.max_input_chars_per_word = static_cast<size_t>(max_chars->get<uint64_t>());
  bool unk_absent = true;
  for (auto& [token, id] : TokenIdMap(spec, "vocab", "WordPiece")) {
    if (token == options.unk_token) unk_absent = false;
    options.tokens.push_back(std::move(token));
    options.ids.push_back(id);
  }
  if (unk_absent) {
    for (int32_t id : options.ids) {
      if (id == kAbsentUnk) throw Error(code::kUnsupportedTokenizer, "model \"WordPiece\": id 2147483647 is not supported");
    }
    options.tokens.push_back(options.unk_token);
    options.ids.push_back(kAbsentUnk);
  }
  return std::make_unique<WordPieceModel>(options, unk_absent, options.unk_token);
}

}  // namespace crossrank

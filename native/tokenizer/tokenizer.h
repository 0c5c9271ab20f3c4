// The pair tokenizer: a streaming WordPiece fast path (BertNormalizer, BertPreTokenizer, WordPiece) or the general
// Pipeline, then the pair template and truncation.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/components.h"
#include "tokenizer/pipeline.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/truncation.h"
#include "tokenizer/wordpiece.h"

namespace crossrank {

// A token matched verbatim in the raw text before normalization (added tokens with normalized: false).
struct AddedTokenSpec {
  std::string content;
  int32_t id;
};

struct TokenizerConfig {
  WordPieceOptions wordpiece;
  NormalizerOptions normalizer;
  std::vector<AddedTokenSpec> added_tokens;
  std::vector<TemplatePiece> pair_template;  // e.g. [CLS]:0 A:0 [SEP]:0 B:1 [SEP]:1
  // What pair truncation subtracts from max_length (the crate's added_tokens(true)); unset: the template's special ids.
  std::optional<size_t> added_pair;
  int32_t pad_id = 0;
};

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  void clear() {
    ids.clear();
    type_ids.clear();
  }
};

// The first tokens of one text. When `complete` is false the text has more tokens than `ids` holds: tokenization
// stopped after the word that reached max_length tokens, exactly where the tokenizers crate stops (the crate's pair cut
// depends on that count), so pass it to EncodePair with the same max_length.
struct TextTokens {
  std::vector<int32_t> ids;
  bool complete = true;
  size_t max_length = 0;
  void clear() {
    ids.clear();
    complete = true;
    max_length = 0;
  }
};

class Tokenizer {
 public:
  // The fast path: every stage is BERT's and no added token needs normalization or stripping.
  explicit Tokenizer(TokenizerConfig config);
  // Any other tokenizer.json; `pair_template` comes from its post-processor.
  Tokenizer(std::unique_ptr<const Pipeline> pipeline, std::vector<TemplatePiece> pair_template, size_t added_pair,
            int32_t pad_id);
  ~Tokenizer();

  // Tokenizes one text (no special tokens), doing only the work that a pair of total length max_length can need.
  void Tokenize(std::string_view utf8, size_t max_length, TextTokens& out) const;
  // Template (e.g. [CLS] a [SEP] b [SEP]) truncated to max_length, special tokens included; throws
  // crossrank::Error(code::kTruncation) where the tokenizers crate returns an error.
  void EncodePair(const TextTokens& a, const TextTokens& b, size_t max_length, TruncationStrategy strategy,
                  Encoding& out) const;
  void EncodePair(std::string_view a, std::string_view b, size_t max_length, TruncationStrategy strategy,
                  Encoding& out) const;

  int32_t pad_id() const { return config_.pad_id; }
  size_t special_token_count() const { return special_count_; }

 private:
  class Stream;
  struct AddedTokenIndex;

  size_t Budget(size_t max_length) const { return max_length > special_count_ ? max_length - special_count_ : 0; }

  void CountSpecials();

  TokenizerConfig config_;
  std::unique_ptr<const WordPiece> wordpiece_;  // fast path only
  std::unique_ptr<const Pipeline> pipeline_;    // general path only
  std::unique_ptr<AddedTokenIndex> added_;
  size_t special_count_ = 0;
};

}  // namespace crossrank

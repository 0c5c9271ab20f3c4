// The general tokenizers pipeline: added tokens, then normalizer, pre-tokenizer and model on the text between them.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/components.h"
#include "tokenizer/piece_cache.h"

namespace crossrank {

class Pipeline {
 public:
  // `model` must not be null; a null normalizer or pre-tokenizer is skipped, as in the crate.
  Pipeline(AddedVocabulary added, std::unique_ptr<TextNormalizer> normalizer, std::unique_ptr<PreTokenizer> pre_tokenizer,
           std::unique_ptr<Model> model);

  // Appends the ids of one text (no special tokens). Stops after the piece that brings `ids` to `limit` ids or more,
  // where the crate stops, and returns false then; returns true when the whole text was tokenized.
  bool Tokenize(std::string_view text, size_t limit, std::vector<int32_t>& ids) const;

  // An added token's id, else the model's.
  std::optional<int32_t> TokenToId(std::string_view token) const;

 private:
  AddedVocabulary added_;
  std::unique_ptr<TextNormalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  PieceCache cache_;
};

}  // namespace crossrank

// WordPiece model: greedy longest-match-first with a continuation prefix; a word that cannot be covered is one unk.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace crossrank {

struct WordPieceOptions {
  std::vector<std::string> tokens;  // vocabulary strings, parallel to ids
  std::vector<int32_t> ids;
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  size_t max_input_chars_per_word = 100;
};

class WordPiece {
 public:
  explicit WordPiece(const WordPieceOptions& options);

  // Appends the ids of one pre-tokenized word. offsets[i] is the byte offset of character i, offsets[n_chars] the end;
  // offsets may be null when n_chars > max_input_chars_per_word (the word is then one unk without being looked at).
  void Tokenize(std::string_view word, const uint32_t* offsets, size_t n_chars, std::vector<int32_t>& out) const;

  int32_t unk_id() const { return unk_id_; }
  size_t max_input_chars_per_word() const { return max_input_chars_per_word_; }

 private:
  Vocab initial_;       // every vocabulary string
  Vocab continuation_;  // strings that start with the prefix, stored without it
  int32_t unk_id_;
  size_t max_input_chars_per_word_;
};

}  // namespace crossrank

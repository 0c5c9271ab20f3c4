// Pair truncation arithmetic of the tokenizers crate (truncate_encodings, direction right, stride 0).
#pragma once
#include <cstddef>

namespace crossrank {

enum class TruncationStrategy { kLongestFirst, kOnlyFirst, kOnlySecond };

struct PairCut {
  size_t first;
  size_t second;
};

// How many tokens each side keeps when the two sides have a and b tokens and `budget` tokens fit (max_length minus
// the special tokens). a and b are the lengths the crate sees: each text stops being tokenized after the word that
// brings it to max_length tokens (see Tokenizer::Tokenize), so a longer text counts only that far. Throws crossrank::Error(ERR_TRUNCATION) where the crate returns an error.
PairCut CutPair(size_t a, size_t b, size_t budget, TruncationStrategy strategy);

}  // namespace crossrank

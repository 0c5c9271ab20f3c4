// Builds a Tokenizer from the text of a tokenizer.json: the WordPiece fast path where it applies, else the Pipeline.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace crossrank {

// Where the pad id comes from, in sentence-transformers' order: tokenizer_config.json's pad_token, then config.json's
// pad_token_id, then tokenizer.json's own padding section, then a "[PAD]" or "<pad>" token, else 0.
struct PadHint {
  std::optional<std::string> token;
  std::optional<int32_t> id;
};

// Throws Error(kUnsupportedTokenizer) naming a component crossrank does not implement, Error(kTokenizer) for a
// malformed file; the saved truncation and padding are ignored (crossrank sets both per call).
std::shared_ptr<const Tokenizer> LoadTokenizerJson(std::string_view json_text, const PadHint& pad);

}  // namespace crossrank

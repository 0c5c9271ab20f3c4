// BertPreTokenizer: whitespace (char::is_whitespace) is removed, each punctuation character becomes a piece of its own.
#include <nlohmann/json.hpp>

#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

class BertPreTokenizer : public PreTokenizer {
 public:
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, CharMatches(piece.text, IsBertSplitWhitespace), SplitBehavior::kRemoved, false, out);
    });
    SplitEach(splits, [](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, CharMatches(piece.text, IsBertPunctuation), SplitBehavior::kIsolated, false, out);
    });
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeBertPreTokenizer(const nlohmann::json&) { return std::make_unique<BertPreTokenizer>(); }

}  // namespace crossrank

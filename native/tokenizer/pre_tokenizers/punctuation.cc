// Punctuation: splits on each ASCII or Unicode (P*) punctuation character with the configured behavior.
#include <nlohmann/json.hpp>

#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

class Punctuation : public PreTokenizer {
 public:
  explicit Punctuation(SplitBehavior behavior) : behavior_(behavior) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [this](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, CharMatches(piece.text, IsBertPunctuation), behavior_, false, out);
    });
  }

 private:
  SplitBehavior behavior_;
};

}  // namespace

std::unique_ptr<PreTokenizer> MakePunctuation(const nlohmann::json& spec) {
  auto it = spec.find("behavior");
  SplitBehavior behavior = it == spec.end() ? SplitBehavior::kIsolated : ParseSplitBehavior(*it);
  return std::make_unique<Punctuation>(behavior);
}

}  // namespace crossrank

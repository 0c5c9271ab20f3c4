// CharDelimiterSplit: removes every occurrence of one delimiter character, splitting around it.
#include <nlohmann/json.hpp>

#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

class CharDelimiterSplit : public PreTokenizer {
 public:
  explicit CharDelimiterSplit(char32_t delimiter) : delimiter_(delimiter) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [this](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, CharMatches(piece.text, [this](char32_t c) { return c == delimiter_; }),
                   SplitBehavior::kRemoved, false, out);
    });
  }

 private:
  char32_t delimiter_;
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeCharDelimiterSplit(const nlohmann::json& spec) {
  std::string delimiter = CharOption(spec, "delimiter");
  size_t i = 0;
  return std::make_unique<CharDelimiterSplit>(
      utf8::Next(reinterpret_cast<const unsigned char*>(delimiter.data()), delimiter.size(), i));
}

}  // namespace crossrank

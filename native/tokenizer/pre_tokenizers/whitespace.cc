// Whitespace (keeps the matches of \w+|[^\w\s]+) and WhitespaceSplit (removes char::is_whitespace), as whitespace.rs.
// The crate runs Whitespace's pattern on Rust's regex crate, not Oniguruma, so its \w and \s are spelled out here.
#include <nlohmann/json.hpp>

#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

class Whitespace : public PreTokenizer {
 public:
  void PreTokenize(std::vector<Split>& splits) const override {
    // Rust regex's \w is Alphabetic, M, Nd, Pc and Join_Control (Oniguruma's lacks Join_Control); \s is White_Space.
    static const Regex words(
        R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\p{White_Space}]+)");
    SplitEach(splits, [](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, RegexMatches(words, piece.text), SplitBehavior::kRemoved, true, out);
    });
  }
};

class WhitespaceSplit : public PreTokenizer {
 public:
  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, CharMatches(piece.text, IsBertSplitWhitespace), SplitBehavior::kRemoved, false, out);
    });
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeWhitespace(const nlohmann::json&) { return std::make_unique<Whitespace>(); }
std::unique_ptr<PreTokenizer> MakeWhitespaceSplit(const nlohmann::json&) { return std::make_unique<WhitespaceSplit>(); }

}  // namespace crossrank

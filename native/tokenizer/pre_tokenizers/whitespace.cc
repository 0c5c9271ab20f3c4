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
    // The runs between whitespace characters (Removed), in one pass.
    SplitEach(splits, [](const Split& piece, std::vector<Split>& out) {
      const std::string& text = piece.text;
      const auto* s = reinterpret_cast<const unsigned char*>(text.data());
      size_t run = 0;
      for (size_t i = 0; i < text.size();) {
        const size_t begin = i;
        const bool space = s[i] < 0x80 ? IsBertSplitWhitespace(s[i++]) : IsBertSplitWhitespace(utf8::Next(s, text.size(), i));
        if (!space) continue;
        if (run < begin) out.push_back({text.substr(run, begin - run), piece.at_start && run == 0});
        run = i;
      }
      if (run < text.size()) out.push_back({text.substr(run), piece.at_start && run == 0});
    });
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeWhitespace(const nlohmann::json&) { return std::make_unique<Whitespace>(); }
std::unique_ptr<PreTokenizer> MakeWhitespaceSplit(const nlohmann::json&) { return std::make_unique<WhitespaceSplit>(); }

}  // namespace crossrank

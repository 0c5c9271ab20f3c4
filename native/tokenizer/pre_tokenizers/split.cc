// Split: a literal string or an Oniguruma regex, cut with one of the five delimiter behaviors, optionally inverted.
#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(Regex pattern, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}

  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [this](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, RegexMatches(pattern_, piece.text), behavior_, invert_, out);
    });
  }

 private:
  Regex pattern_;
  SplitBehavior behavior_;
  bool invert_;
};

// {"String": s} is matched literally (the crate escapes it into a regex), {"Regex": r} as Oniguruma compiles it.
Regex ParsePattern(const nlohmann::json& spec) {
  auto it = spec.find("pattern");
  if (it != spec.end() && it->is_object() && it->size() == 1) {
    auto text = it->begin();
    if (text->is_string()) {
      const std::string& value = text->get_ref<const std::string&>();
      if (text.key() == "String") return Regex::Literal(value);
      if (text.key() == "Regex") return Regex(value);
    }
  }
  throw Error(code::kTokenizer, "pre_tokenizer \"Split\": pattern must be {\"String\": ...} or {\"Regex\": ...}");
}

}  // namespace

std::unique_ptr<PreTokenizer> MakeSplitPreTokenizer(const nlohmann::json& spec) {
  auto behavior = spec.find("behavior");
  if (behavior == spec.end()) throw Error(code::kTokenizer, "pre_tokenizer \"Split\": missing behavior");
  return std::make_unique<SplitPreTokenizer>(ParsePattern(spec), ParseSplitBehavior(*behavior),
                                             RequiredBool(spec, "invert"));
}

}  // namespace crossrank

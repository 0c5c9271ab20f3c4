// Replace: every match of a literal ({"String": s}) or Oniguruma ({"Regex": r}) pattern becomes `content`, taken
// literally ("$1" is not expanded by the crate's normalizer).
#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/regex/regex.h"

namespace crossrank {
namespace {

class Replace : public TextNormalizer {
 public:
  Replace(Regex pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}

  void Normalize(std::string& text) const override {
    if (text.empty()) return;  // the crate finds no match, not even an empty one, in an empty segment
    auto matches = pattern_.FindAll(text);
    if (matches.empty()) return;
    std::string out;
    out.reserve(text.size());
    size_t last = 0;
    for (const auto& [start, end] : matches) {
      out.append(text, last, start - last);
      out += content_;
      last = end;
    }
    out.append(text, last, std::string::npos);
    text.swap(out);
  }

 private:
  Regex pattern_;
  std::string content_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeReplace(const nlohmann::json& spec) {
  auto pattern = spec.find("pattern");
  if (pattern == spec.end() || !pattern->is_object() || pattern->size() != 1) {
    throw Error(code::kTokenizer, "normalizer: Replace needs a \"pattern\" of {\"String\": ...} or {\"Regex\": ...}");
  }
  const std::string& content = normalizer_options::RequiredString(spec, "content");
  auto kind = pattern->begin();
  if (!kind.value().is_string()) throw Error(code::kTokenizer, "normalizer: Replace pattern must be a string");
  const std::string& source = kind.value().get_ref<const std::string&>();
  if (kind.key() == "String") return std::make_unique<Replace>(Regex::Literal(source), content);
  if (kind.key() == "Regex") return std::make_unique<Replace>(Regex(source), content);
  throw Error(code::kTokenizer, "normalizer: Replace pattern must be String or Regex, not \"" + kind.key() + "\"");
}

}  // namespace crossrank

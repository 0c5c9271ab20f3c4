// Metaspace: every ' ' becomes the replacement character, which is prepended to a piece per prepend_scheme unless the
// piece already starts with it, then (split: true) each replacement opens a new piece (MergedWithNext).
#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

enum class PrependScheme { kAlways, kFirst, kNever };

class Metaspace : public PreTokenizer {
 public:
  Metaspace(std::string replacement, PrependScheme prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {}

  void PreTokenize(std::vector<Split>& splits) const override {
    SplitEach(splits, [this](const Split& piece, std::vector<Split>& out) {
      Split marked{Replaced(piece.text), piece.at_start};
      bool already = marked.text.compare(0, replacement_.size(), replacement_) == 0;
      if (!already && (prepend_ == PrependScheme::kAlways || (prepend_ == PrependScheme::kFirst && piece.at_start))) {
        marked.text.insert(0, replacement_);
      }
      if (!split_) {
        out.push_back(std::move(marked));
        return;
      }
      char32_t replacement = Replacement();
      AppendSplits(marked, CharMatches(marked.text, [replacement](char32_t c) { return c == replacement; }),
                   SplitBehavior::kMergedWithNext, false, out);
    });
  }

 private:
  std::string Replaced(const std::string& text) const {
    std::string replaced;
    replaced.reserve(text.size());
    for (char c : text) {
      if (c == ' ') {
        replaced += replacement_;
      } else {
        replaced.push_back(c);
      }
    }
    return replaced;
  }
  char32_t Replacement() const {
    size_t i = 0;
    return utf8::Next(reinterpret_cast<const unsigned char*>(replacement_.data()), replacement_.size(), i);
  }

  std::string replacement_;
  PrependScheme prepend_;
  bool split_;
};

PrependScheme ParsePrependScheme(const nlohmann::json& spec) {
  auto it = spec.find("prepend_scheme");
  if (it == spec.end()) return PrependScheme::kAlways;
  if (it->is_string()) {
    const std::string& name = it->get_ref<const std::string&>();
    if (name == "always") return PrependScheme::kAlways;
    if (name == "first") return PrependScheme::kFirst;
    if (name == "never") return PrependScheme::kNever;
  }
  throw Error(code::kTokenizer, "pre_tokenizer \"Metaspace\": invalid prepend_scheme " + it->dump());
}

}  // namespace

std::unique_ptr<PreTokenizer> MakeMetaspace(const nlohmann::json& spec) {
  PrependScheme prepend = ParsePrependScheme(spec);
  // The old format's add_prefix_space: false means "never", and must not contradict a declared scheme (as the crate).
  if (!OptionalBool(spec, "add_prefix_space", true)) {
    if (prepend != PrependScheme::kNever) {
      throw Error(code::kTokenizer, "pre_tokenizer \"Metaspace\": add_prefix_space does not match prepend_scheme");
    }
  }
  return std::make_unique<Metaspace>(CharOption(spec, "replacement"), prepend, OptionalBool(spec, "split", true));
}

}  // namespace crossrank

// Metaspace: every ' ' becomes the replacement character, which is prepended to a piece per prepend_scheme unless the
// piece already starts with it, then (split: true) each replacement opens a new piece (MergedWithNext).
#include <string>
#include <string_view>
#include <vector>

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
    thread_local std::vector<Split> out;
    thread_local std::string marked;
    out.clear();
    for (const Split& piece : splits) {
      if (piece.text.empty()) continue;
      Mark(piece, marked);
      if (!split_) {
        out.push_back(Split{marked, piece.at_start});
        continue;
      }
      // MergedWithNext over single-character matches cuts just before each replacement character; in valid UTF-8 a
      // byte search for it finds exactly the characters.
      const std::string_view text(marked);
      size_t start = 0;
      for (size_t at = text.find(replacement_, 1); at != std::string_view::npos; at = text.find(replacement_, at + 1)) {
        out.push_back(Split{std::string(text.substr(start, at - start)), piece.at_start && start == 0});
        start = at;
      }
      out.push_back(Split{std::string(text.substr(start)), piece.at_start && start == 0});
    }
    splits.swap(out);
  }

 private:
  // The piece with every ' ' replaced, and the replacement prepended where prepend_scheme asks for it.
  void Mark(const Split& piece, std::string& marked) const {
    marked.clear();
    const std::string& text = piece.text;
    const bool already = text.compare(0, 1, " ") == 0 || text.compare(0, replacement_.size(), replacement_) == 0;
    if (!already && (prepend_ == PrependScheme::kAlways || (prepend_ == PrependScheme::kFirst && piece.at_start))) {
      marked += replacement_;
    }
    for (size_t i = 0; i < text.size();) {
      const size_t space = text.find(' ', i);
      const size_t end = space == std::string::npos ? text.size() : space;
      marked.append(text, i, end - i);
      if (space == std::string::npos) break;
      marked += replacement_;
      i = space + 1;
    }
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

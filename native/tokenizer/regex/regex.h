// A compiled Oniguruma regex with the onig crate's defaults (UTF-8, ONIG_SYNTAX_DEFAULT, no options), as the tokenizers
// crate's SysRegex uses it; compiled once at load, matched from any number of threads.
#pragma once
#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace crossrank {

class Regex {
 public:
  // Throws Error(code::kTokenizer) naming the pattern when Oniguruma rejects it.
  explicit Regex(std::string_view pattern);
  // A pattern that matches `text` literally (the crate's regex::escape of a String pattern).
  static Regex Literal(std::string_view text);

  // Non-overlapping matches as [start, end) byte ranges, in order, as onig's find_iter yields them (an empty match
  // right after the previous match is skipped by advancing one character).
  std::vector<std::pair<size_t, size_t>> FindAll(std::string_view text) const;

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace crossrank

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

// The code point ranges [first, last] of an Oniguruma property ("L", "N", "Space", ...) as the vendored engine's
// UTF-8 encoding defines it, i.e. what \p{L} or \s match; throws Error(code::kTokenizer) for an unknown name.
std::vector<std::pair<char32_t, char32_t>> PropertyRanges(std::string_view name);

}  // namespace crossrank

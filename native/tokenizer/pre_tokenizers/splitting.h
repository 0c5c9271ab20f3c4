// The crate's NormalizedString::split for pre-tokenizers: a pattern's matches over a piece, cut by a delimiter behavior.
#pragma once
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/components.h"
#include "tokenizer/regex/regex.h"
#include "tokenizer/utf8.h"

namespace crossrank {

// A byte range of a piece and whether the pattern matched it (the crate's (Offsets, bool)).
struct PatternMatch {
  size_t start;
  size_t end;
  bool is_match;
};

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// "Removed", "Isolated", ... as tokenizer.json spells SplitDelimiterBehavior; anything else throws code::kTokenizer.
SplitBehavior ParseSplitBehavior(const nlohmann::json& value);

// The crate's Pattern for a regex: matched ranges and the gaps between them (a lone ((0,0), false) for "").
std::vector<PatternMatch> RegexMatches(const Regex& regex, std::string_view text);
// The same from the [start, end) ranges a matcher found in a text of `size` bytes.
std::vector<PatternMatch> FoundMatches(const std::vector<std::pair<size_t, size_t>>& found, size_t size);

// The crate's Pattern for a char predicate: each matching character alone, the runs between them as gaps.
template <typename Predicate>
std::vector<PatternMatch> CharMatches(std::string_view text, Predicate is_match) {
  std::vector<PatternMatch> matches;
  if (text.empty()) return {{0, 0, false}};
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t last = 0;
  for (size_t i = 0; i < text.size();) {
    size_t begin = i;
    char32_t c = utf8::Next(s, text.size(), i);
    if (!is_match(c)) continue;
    if (last < begin) matches.push_back({last, begin, false});
    matches.push_back({begin, i, true});
    last = i;
  }
  if (last < text.size()) matches.push_back({last, text.size(), false});
  return matches;
}

// Appends the pieces of `piece` that `matches` and `behavior` give (inverted first when `invert`), dropping empty
// ones; a piece keeps at_start only when it begins at byte 0 of an at_start piece.
void AppendSplits(const Split& piece, std::vector<PatternMatch> matches, SplitBehavior behavior, bool invert,
                  std::vector<Split>& out);

// Runs `split_one(piece, out)` over every non-empty piece, replacing `splits` with what it appends.
template <typename SplitOne>
void SplitEach(std::vector<Split>& splits, SplitOne split_one) {
  thread_local std::vector<Split> out;  // keeps its capacity from text to text
  out.clear();
  for (const Split& piece : splits) {
    if (!piece.text.empty()) split_one(piece, out);
  }
  splits.swap(out);
}

}  // namespace crossrank

// Delimiter behaviors as the crate's NormalizedString::split folds them (see splitting.h).
#include "tokenizer/pre_tokenizers/splitting.h"

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "errors.h"

namespace crossrank {

SplitBehavior ParseSplitBehavior(const nlohmann::json& value) {
  if (value.is_string()) {
    const std::string& name = value.get_ref<const std::string&>();
    if (name == "Removed") return SplitBehavior::kRemoved;
    if (name == "Isolated") return SplitBehavior::kIsolated;
    if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
    if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
    if (name == "Contiguous") return SplitBehavior::kContiguous;
  }
  throw Error(code::kTokenizer, "pre_tokenizer: invalid split behavior " + value.dump());
}

std::vector<PatternMatch> RegexMatches(const Regex& regex, std::string_view text) {
  if (text.empty()) return {{0, 0, false}};
  return FoundMatches(regex.FindAll(text), text.size());
}

std::vector<PatternMatch> FoundMatches(const std::vector<std::pair<size_t, size_t>>& found, size_t size) {
  if (size == 0) return {{0, 0, false}};
  std::vector<PatternMatch> matches;
  matches.reserve(found.size() * 2 + 1);
  size_t previous = 0;
  for (auto [start, end] : found) {
    if (previous != start) matches.push_back({previous, start, false});
    matches.push_back({start, end, true});
    previous = end;
  }
  if (previous != size) matches.push_back({previous, size, false});
  return matches;
}

namespace {

// Merges each match into the piece before it (a leading match stands alone); consecutive matches stay apart.
std::vector<PatternMatch> MergeWithPrevious(const std::vector<PatternMatch>& matches) {
  std::vector<PatternMatch> out;
  bool previous_match = false;
  for (const PatternMatch& m : matches) {
    if (m.is_match && !previous_match && !out.empty()) {
      out.back().end = m.end;
    } else {
      out.push_back({m.start, m.end, false});
    }
    previous_match = m.is_match;
  }
  return out;
}

// Mirror image of MergeWithPrevious, folding from the end as the crate does.
std::vector<PatternMatch> MergeWithNext(const std::vector<PatternMatch>& matches) {
  std::vector<PatternMatch> out;
  bool previous_match = false;
  for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
    if (it->is_match && !previous_match && !out.empty()) {
      out.back().start = it->start;
    } else {
      out.push_back({it->start, it->end, false});
    }
    previous_match = it->is_match;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Joins neighbours with the same match state (the first one always starts a piece).
std::vector<PatternMatch> MergeContiguous(const std::vector<PatternMatch>& matches) {
  std::vector<PatternMatch> out;
  bool previous_match = false;
  for (const PatternMatch& m : matches) {
    if (m.is_match == previous_match && !out.empty()) {
      out.back().end = m.end;
    } else {
      out.push_back({m.start, m.end, false});
    }
    previous_match = m.is_match;
  }
  return out;
}

}  // namespace

void AppendSplits(const Split& piece, std::vector<PatternMatch> matches, SplitBehavior behavior, bool invert,
                  std::vector<Split>& out) {
  if (invert) {
    for (PatternMatch& m : matches) m.is_match = !m.is_match;
  }
  switch (behavior) {
    case SplitBehavior::kRemoved:
      break;  // the matches themselves are dropped below
    case SplitBehavior::kIsolated:
      for (PatternMatch& m : matches) m.is_match = false;
      break;
    case SplitBehavior::kMergedWithPrevious:
      matches = MergeWithPrevious(matches);
      break;
    case SplitBehavior::kMergedWithNext:
      matches = MergeWithNext(matches);
      break;
    case SplitBehavior::kContiguous:
      matches = MergeContiguous(matches);
      break;
  }
  for (const PatternMatch& m : matches) {
    if (m.is_match || m.start >= m.end) continue;
    out.push_back({piece.text.substr(m.start, m.end - m.start), piece.at_start && m.start == 0});
  }
}

}  // namespace crossrank

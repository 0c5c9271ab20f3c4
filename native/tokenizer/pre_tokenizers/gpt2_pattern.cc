// The GPT-2 pattern as a leftmost-first backtracking engine takes it: at each position the first alternative that
// matches wins, each run greedy; every position matches some alternative, so the matches tile the text.
#include "tokenizer/pre_tokenizers/gpt2_pattern.h"

#include <algorithm>

#include "tokenizer/regex/regex.h"
#include "tokenizer/utf8.h"

namespace crossrank {

const Gpt2Pattern& Gpt2Pattern::Get() {
  static const Gpt2Pattern pattern;
  return pattern;
}

Gpt2Pattern::Gpt2Pattern() : bmp_(0x10000, kOther) {
  struct Ranges {
    const char* property;
    Class cls;
  };
  std::vector<std::pair<std::pair<char32_t, char32_t>, Class>> astral;
  for (const Ranges& r : {Ranges{"L", kLetter}, Ranges{"N", kNumber}, Ranges{"Space", kSpace}}) {
    for (auto [first, last] : PropertyRanges(r.property)) {
      for (char32_t c = first; c <= std::min<char32_t>(last, 0xFFFF); ++c) bmp_[c] = r.cls;
      if (last > 0xFFFF) astral.push_back({{std::max<char32_t>(first, 0x10000), last}, r.cls});
    }
  }
  std::sort(astral.begin(), astral.end());
  for (const auto& [range, cls] : astral) {
    astral_.push_back(range);
    astral_class_.push_back(cls);
  }
}

Gpt2Pattern::Class Gpt2Pattern::Of(char32_t c) const {
  if (c < 0x10000) return bmp_[c];
  auto it = std::upper_bound(astral_.begin(), astral_.end(), c,
                             [](char32_t value, const std::pair<char32_t, char32_t>& r) { return value < r.first; });
  if (it == astral_.begin()) return kOther;
  --it;
  return c <= it->second ? astral_class_[static_cast<size_t>(it - astral_.begin())] : kOther;
}

Gpt2Pattern::Class Gpt2Pattern::Next(const unsigned char* s, size_t n, size_t& i) const {
  if (s[i] < 0x80) return bmp_[s[i++]];
  return Of(utf8::Next(s, n, i));
}

std::vector<std::pair<size_t, size_t>> Gpt2Pattern::FindAll(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> matches;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  // The end of the run of `cls` characters starting at i.
  const auto run = [&](size_t i, Class cls) {
    while (i < n) {
      size_t next = i;
      if (Next(s, n, next) != cls) break;
      i = next;
    }
    return i;
  };
  size_t i = 0;
  while (i < n) {
    // 's 't 'm 'd, then 're 've 'll (lowercase only).
    if (s[i] == '\'' && i + 1 < n) {
      const unsigned char c = s[i + 1];
      if (c == 's' || c == 't' || c == 'm' || c == 'd') {
        matches.emplace_back(i, i + 2);
        i += 2;
        continue;
      }
      if (i + 2 < n && ((c == 'r' && s[i + 2] == 'e') || (c == 'v' && s[i + 2] == 'e') || (c == 'l' && s[i + 2] == 'l'))) {
        matches.emplace_back(i, i + 3);
        i += 3;
        continue;
      }
    }
    // " ?" then a run of letters, digits or other characters, taking the space when such a run follows it.
    size_t after = i;
    Class cls = Next(s, n, after);
    if (s[i] == ' ' && after < n) {
      size_t next = after;
      const Class following = Next(s, n, next);
      if (following != kSpace) {
        cls = following;
        after = next;
      }
    }
    if (cls != kSpace) {
      const size_t end = run(after, cls);
      matches.emplace_back(i, end);
      i = end;
      continue;
    }
    // \s+(?!\S): the whitespace run, less its last character when a non-space follows and that leaves one; else \s+.
    size_t last = i, end = after;
    while (end < n) {
      size_t next = end;
      if (Next(s, n, next) != kSpace) break;
      last = end;
      end = next;
    }
    const size_t stop = end < n && last > i ? last : end;
    matches.emplace_back(i, stop);
    i = stop;
  }
  return matches;
}

}  // namespace crossrank

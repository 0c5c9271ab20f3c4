// NFD, NFKD, NFC, NFKC with the crate's Unicode 9.0 data (unicode-normalization-alignments): decompose, order
// non-starters stably by combining class, then (NFC/NFKC) compose primary composites and Hangul syllables.
#include <algorithm>
#include <vector>

#include "tokenizer/normalizers/normalization_tables.h"
#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

void Decompose(char32_t c, bool compatibility, std::vector<char32_t>& out) {
  if (c - kSBase < kSCount) {
    char32_t s = c - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount) out.push_back(kTBase + s % kTCount);
    return;
  }
  unicode::Mapping m{nullptr, 0};
  if (compatibility) {
    m = normalization::CompatibilityDecomposition(c);
  } else if (unicode::Flags(c) & unicode::kDecomposes) {
    m = unicode::Decomposition(c);
  }
  if (m.size == 0) {
    out.push_back(c);
  } else {
    out.insert(out.end(), m.data, m.data + m.size);
  }
}

// Canonical ordering: each run of non-starters sorted stably by combining class.
void Reorder(std::vector<char32_t>& chars) {
  size_t i = 0;
  while (i < chars.size()) {
    if (unicode::CombiningClass(chars[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < chars.size() && unicode::CombiningClass(chars[j]) != 0) ++j;
    if (j - i > 1) {
      std::stable_sort(chars.begin() + i, chars.begin() + j, [](char32_t a, char32_t b) {
        return unicode::CombiningClass(a) < unicode::CombiningClass(b);
      });
    }
    i = j;
  }
}

// Characters that are the second of some composition pair: most characters are not, and skip the search.
const std::vector<bool>& Seconds() {
  static const std::vector<bool> seconds = [] {
    std::vector<bool> marks(unicode::kMaxCodePoint + 1);
    for (size_t i = 0; i < normalization::kCompositionPairCount; ++i) marks[normalization::kCompositionPairs[i].second] = true;
    for (char32_t c = kVBase; c < kVBase + kVCount; ++c) marks[c] = true;
    for (char32_t c = kTBase + 1; c < kTBase + kTCount; ++c) marks[c] = true;
    return marks;
  }();
  return seconds;
}

// The primary composite of a pair, or 0.
char32_t Compose(char32_t a, char32_t b) {
  if (b > unicode::kMaxCodePoint || !Seconds()[b]) return 0;
  if (a - kLBase < kLCount && b - kVBase < kVCount) return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  if (a - kSBase < kSCount && (a - kSBase) % kTCount == 0 && b - kTBase < kTCount && b != kTBase) return a + (b - kTBase);
  const normalization::CompositionPair* begin = normalization::kCompositionPairs;
  const normalization::CompositionPair* end = begin + normalization::kCompositionPairCount;
  auto it = std::lower_bound(begin, end, std::make_pair(a, b), [](const normalization::CompositionPair& p,
                                                                   const std::pair<char32_t, char32_t>& key) {
    return p.first < key.first || (p.first == key.first && p.second < key.second);
  });
  return it != end && it->first == a && it->second == b ? it->composite : 0;
}

// Canonical composition in place: a character joins the last starter unless blocked by a character between them of
// class 0 or of a class >= its own.
void Recompose(std::vector<char32_t>& chars) {
  if (chars.empty()) return;
  Seconds();  // built once, before the loop
  size_t out = 0;
  long starter = -1;  // index in the output of the last starter, -1 before the first
  int last_class = -1;  // class of the last character written after the starter, -1 when none
  for (size_t i = 0; i < chars.size(); ++i) {
    char32_t c = chars[i];
    int cls = unicode::CombiningClass(c);
    if (starter >= 0 && (last_class == -1 || (last_class < cls))) {
      char32_t composite = Compose(chars[starter], c);
      if (composite != 0) {
        chars[starter] = composite;
        continue;
      }
    }
    if (cls == 0) {
      starter = static_cast<long>(out);
      last_class = -1;
    } else {
      last_class = cls;
    }
    chars[out++] = c;
  }
  chars.resize(out);
}

class UnicodeForm : public TextNormalizer {
 public:
  UnicodeForm(bool compatibility, bool compose) : compatibility_(compatibility), compose_(compose) {}

  // Text is normalized chunk by chunk, each chunk starting at a character that no neighbour can change (a starter
  // with no decomposition that is no pair's second); a chunk of that character alone is copied as it is.
  void Normalize(std::string& text) const override {
    size_t ascii = 0;
    while (ascii < text.size() && static_cast<unsigned char>(text[ascii]) < 0x80) ++ascii;
    if (ascii == text.size()) return;  // ASCII is in every normal form
    if (compose_) Seconds();
    size_t chunk = ascii > 0 ? ascii - 1 : 0;  // the last ASCII character may compose with what follows
    bool chunk_stable = ascii > 0;             // the chunk so far is one stable character
    std::string out(text, 0, chunk);
    out.reserve(text.size() + text.size() / 8);
    std::vector<char32_t> chars;
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = ascii; i < text.size();) {
      size_t at = i;
      char32_t c = utf8::Next(s, text.size(), i);
      if (Stable(c)) {
        Flush(text, chunk, at, chunk_stable, chars, out);
        chunk = at;
        chunk_stable = true;
      } else {
        chunk_stable = false;
      }
    }
    Flush(text, chunk, text.size(), chunk_stable, chars, out);
    text.swap(out);
  }

 private:
  bool Stable(char32_t c) const {
    if (c < 0x80) return true;
    if (c - kSBase < kSCount || unicode::CombiningClass(c) != 0) return false;
    bool decomposes = compatibility_ ? normalization::CompatibilityDecomposition(c).size != 0
                                     : (unicode::Flags(c) & unicode::kDecomposes) != 0;
    return !decomposes && !(compose_ && c <= unicode::kMaxCodePoint && Seconds()[c]);
  }

  void Flush(const std::string& text, size_t begin, size_t end, bool stable, std::vector<char32_t>& chars,
             std::string& out) const {
    if (begin == end) return;
    if (stable) {
      out.append(text, begin, end - begin);
      return;
    }
    chars.clear();
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = begin; i < end;) Decompose(utf8::Next(s, end, i), compatibility_, chars);
    Reorder(chars);
    if (compose_) Recompose(chars);
    for (char32_t c : chars) utf8::Append(out, c);
  }

  bool compatibility_, compose_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeNfd(const nlohmann::json&) { return std::make_unique<UnicodeForm>(false, false); }
std::unique_ptr<TextNormalizer> MakeNfkd(const nlohmann::json&) { return std::make_unique<UnicodeForm>(true, false); }
std::unique_ptr<TextNormalizer> MakeNfc(const nlohmann::json&) { return std::make_unique<UnicodeForm>(false, true); }
std::unique_ptr<TextNormalizer> MakeNfkc(const nlohmann::json&) { return std::make_unique<UnicodeForm>(true, true); }

}  // namespace crossrank

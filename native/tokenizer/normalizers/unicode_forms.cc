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

// The primary composite of a pair, or 0.
char32_t Compose(char32_t a, char32_t b) {
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

  void Normalize(std::string& text) const override {
    size_t ascii = 0;
    while (ascii < text.size() && static_cast<unsigned char>(text[ascii]) < 0x80) ++ascii;
    if (ascii == text.size()) return;  // ASCII is in every normal form
    std::vector<char32_t> chars;
    chars.reserve(text.size());
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = 0; i < text.size();) Decompose(utf8::Next(s, text.size(), i), compatibility_, chars);
    Reorder(chars);
    if (compose_) Recompose(chars);
    std::string out;
    out.reserve(text.size());
    for (char32_t c : chars) utf8::Append(out, c);
    text.swap(out);
  }

 private:
  bool compatibility_, compose_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeNfd(const nlohmann::json&) { return std::make_unique<UnicodeForm>(false, false); }
std::unique_ptr<TextNormalizer> MakeNfkd(const nlohmann::json&) { return std::make_unique<UnicodeForm>(true, false); }
std::unique_ptr<TextNormalizer> MakeNfc(const nlohmann::json&) { return std::make_unique<UnicodeForm>(false, true); }
std::unique_ptr<TextNormalizer> MakeNfkc(const nlohmann::json&) { return std::make_unique<UnicodeForm>(true, true); }

}  // namespace crossrank

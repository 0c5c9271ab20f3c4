// Precompiled: SentencePiece's precompiled_charsmap (a Darts double-array trie over UTF-8 bytes plus a pool of
// NUL-terminated replacements), applied with the crate's rule: a grapheme cluster shorter than 6 bytes whose bytes start
// with a trie key becomes that key's replacement whole; any other cluster is rewritten character by character.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/normalizers/grapheme_segmenter.h"
#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

[[noreturn]] void Malformed(const std::string& what) {
  throw Error(code::kTokenizer, "normalizer: precompiled_charsmap " + what);
}

// Standard base64 with padding, as the base64 crate's STANDARD engine requires it.
std::string DecodeBase64(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) Malformed("is not base64 (length)");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0 || (v[k] = value(c)) < 0) Malformed("is not base64");
      }
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    // The crate rejects trailing bits that a canonical encoder would have left zero.
    if ((pad == 1 && (n & 0xFF)) || (pad == 2 && (n & 0xFFFF))) Malformed("is not canonical base64");
    out.push_back(static_cast<char>(n >> 16));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xFF));
  }
  return out;
}

class Precompiled : public TextNormalizer {
 public:
  explicit Precompiled(const std::string& charsmap) {
    if (charsmap.size() < 4) Malformed("is too short");
    auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(charsmap[i])); };
    uint32_t trie_bytes = byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24);
    size_t units = trie_bytes / 4;
    if (units > (charsmap.size() - 4) / 4) Malformed("is shorter than its trie");
    if (units == 0) Malformed("has an empty trie");  // the crate indexes unit 0 of any non-empty input
    units_.resize(units);
    for (size_t u = 0; u < units; ++u) {
      size_t at = 4 + u * 4;
      units_[u] = byte(at) | (byte(at + 1) << 8) | (byte(at + 2) << 16) | (byte(at + 3) << 24);
    }
    normalized_ = charsmap.substr(4 + units * 4);
    if (!utf8::IsValid(normalized_)) Malformed("has replacements that are not UTF-8");
    for (unsigned b = 0; b < 0x80; ++b) {
      const char c = static_cast<char>(b);
      if (std::optional<std::string_view> replaced = Transform(std::string_view(&c, 1))) ascii_[b] = std::string(*replaced);
    }
  }

  void Normalize(std::string& text) const override {
    if (text.empty()) return;
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    grapheme::Segmenter segmenter(text);
    std::string_view all(text);
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    for (size_t start = 0; start < n;) {
      // ASCII characters the charsmap keeps, each followed by another ASCII character and none a CR, are clusters of
      // their own and stay as they are: copy the run at once.
      size_t run = start;
      while (run + 1 < n && bytes[run] < 0x80 && bytes[run] != '\r' && !ascii_[bytes[run]] && bytes[run + 1] < 0x80) ++run;
      if (run > start) {
        out.append(text, start, run - start);
        start = run;
      }
      // An ASCII character before another (not CR LF) is a cluster of its own: its rewrite is in the table.
      const unsigned char b = bytes[start];
      if (b < 0x80 && (start + 1 == n || (bytes[start + 1] < 0x80 && !(b == '\r' && bytes[start + 1] == '\n')))) {
        if (const std::optional<std::string>& replaced = ascii_[b]) {
          out.append(replaced->data(), replaced->size());
        } else {
          out.push_back(static_cast<char>(b));
        }
        ++start;
        continue;
      }
      size_t end = segmenter.Next(start);
      std::string_view cluster = all.substr(start, end - start);
      start = end;
      if (cluster.size() < 6) {
        if (std::optional<std::string_view> whole = Transform(cluster)) {
          out.append(whole->data(), whole->size());
          continue;
        }
      }
      for (size_t i = 0; i < cluster.size();) {
        size_t len = CharLength(static_cast<unsigned char>(cluster[i]));
        std::string_view ch = cluster.substr(i, len);
        i += len;
        std::optional<std::string_view> replaced = Transform(ch);
        if (replaced) {
          out.append(replaced->data(), replaced->size());
        } else {
          out.append(ch.data(), ch.size());
        }
      }
    }
    text.swap(out);
  }

 private:
  static size_t CharLength(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

  uint32_t Unit(size_t pos) const {
    if (pos >= units_.size()) Malformed("has a trie that points outside itself");
    return units_[pos];
  }
  static uint32_t Offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

  // The replacement of the shortest trie key that prefixes `chunk` (stopping at a NUL byte), as the crate's
  // common_prefix_search(...)[0]; nullopt when no key does.
  std::optional<std::string_view> Transform(std::string_view chunk) const {
    size_t pos = 0;
    uint32_t unit = Unit(pos);
    pos ^= Offset(unit);
    for (char ch : chunk) {
      auto c = static_cast<unsigned char>(ch);
      if (c == 0) break;
      pos ^= c;
      unit = Unit(pos);
      if ((unit & ((1u << 31) | 0xFF)) != c) return std::nullopt;
      pos ^= Offset(unit);
      if ((unit >> 8) & 1) return Replacement(Unit(pos) & ((1u << 31) - 1));
    }
    return std::nullopt;
  }

  std::string_view Replacement(size_t index) const {
    if (index > normalized_.size() ||
        (index < normalized_.size() && (static_cast<unsigned char>(normalized_[index]) & 0xC0) == 0x80)) {
      Malformed("has a replacement index outside its strings");
    }
    size_t end = normalized_.find('\0', index);
    if (end == std::string::npos) end = normalized_.size();
    return std::string_view(normalized_).substr(index, end - index);
  }

  std::vector<uint32_t> units_;
  std::string normalized_;
  std::optional<std::string> ascii_[0x80];  // Transform of each one-byte cluster
};

}  // namespace

std::unique_ptr<TextNormalizer> MakePrecompiled(const nlohmann::json& spec) {
  return std::make_unique<Precompiled>(DecodeBase64(normalizer_options::RequiredString(spec, "precompiled_charsmap")));
}

}  // namespace crossrank

// GPT-2's split pattern, 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+, matched by hand:
// Oniguruma spent most of byte-level BPE's time on it. \p{L}, \p{N} and \s are read from the vendored Oniguruma, so
// the classes are the engine's; the fuzzer checks every input against the regex itself.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace crossrank {

class Gpt2Pattern {
 public:
  static constexpr std::string_view kPattern =
      R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

  // The process-wide instance (its class tables are built once).
  static const Gpt2Pattern& Get();

  // Exactly Regex(kPattern).FindAll(text) for well-formed UTF-8 `text`.
  std::vector<std::pair<size_t, size_t>> FindAll(std::string_view text) const;

 private:
  enum Class : uint8_t { kOther, kLetter, kNumber, kSpace };

  Gpt2Pattern();
  // The class of the character at s[i]; advances i past it.
  Class Next(const unsigned char* s, size_t n, size_t& i) const;
  Class Of(char32_t c) const;

  std::vector<Class> bmp_;                              // U+0000..U+FFFF
  std::vector<std::pair<char32_t, char32_t>> astral_;   // ranges above U+FFFF, sorted by first code point
  std::vector<Class> astral_class_;                     // the class of each astral_ range
};

}  // namespace crossrank

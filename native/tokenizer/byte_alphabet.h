// GPT-2's bytes_to_unicode, shared by the ByteLevel normalizer and pre-tokenizer.
#pragma once
#include <array>
#include <string>

#include "tokenizer/utf8.h"

namespace crossrank {

// Printable Latin-1 bytes stand for themselves, the others for U+0100 onwards in byte order.
inline std::array<std::string, 256> ByteAlphabet() {
  std::array<std::string, 256> alphabet;
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    utf8::Append(alphabet[b], printable ? static_cast<char32_t>(b) : next++);
  }
  return alphabet;
}

}  // namespace crossrank

// ByteLevel (the normalizer): every byte of the segment spelled as its character in GPT-2's bytes-to-unicode alphabet.
#include <array>

#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

// Printable Latin-1 bytes stand for themselves, the others for U+0100 onwards in byte order.
std::array<std::string, 256> ByteAlphabet() {
  std::array<std::string, 256> alphabet;
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    utf8::Append(alphabet[b], printable ? static_cast<char32_t>(b) : next++);
  }
  return alphabet;
}

class ByteLevel : public TextNormalizer {
 public:
  ByteLevel() : alphabet_(ByteAlphabet()) {}

  void Normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size() * 2);
    for (unsigned char b : text) out += alphabet_[b];
    text.swap(out);
  }

 private:
  std::array<std::string, 256> alphabet_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeByteLevelNormalizer(const nlohmann::json&) { return std::make_unique<ByteLevel>(); }

}  // namespace crossrank

// ByteLevel (the normalizer): every byte of the segment spelled as its character in GPT-2's bytes-to-unicode alphabet.
#include <array>

#include "tokenizer/byte_alphabet.h"

#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

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

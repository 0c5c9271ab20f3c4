// Nmt: SentencePiece's nmt_nfkc control-character rules: drops C0/DEL-style controls, turns a few spaces and separators
// into ' ' (the crate's filter then map).
#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

bool Dropped(char32_t c) {
  return (c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F;
}

bool BecomesSpace(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || (c >= 0x200B && c <= 0x200F) ||
         c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF || c == 0xFFFD;
}

class Nmt : public TextNormalizer {
 public:
  void Normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = 0; i < text.size();) {
      size_t start = i;
      char32_t c = utf8::Next(s, text.size(), i);
      if (Dropped(c)) continue;
      if (BecomesSpace(c)) {
        out.push_back(' ');
      } else {
        out.append(text, start, i - start);
      }
    }
    text.swap(out);
  }
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeNmt(const nlohmann::json&) { return std::make_unique<Nmt>(); }

}  // namespace crossrank

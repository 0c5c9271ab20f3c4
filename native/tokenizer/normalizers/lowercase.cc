// Lowercase: Rust's char::to_lowercase on each character alone (no final-sigma context), as the crate does.
#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

class Lowercase : public TextNormalizer {
 public:
  void Normalize(std::string& text) const override {
    size_t i = 0;
    while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80 && !(text[i] >= 'A' && text[i] <= 'Z')) ++i;
    if (i == text.size()) return;
    std::string out(text, 0, i);
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    while (i < text.size()) {
      char32_t c = utf8::Next(s, text.size(), i);
      if (unicode::Flags(c) & unicode::kLowercases) {
        unicode::Mapping m = unicode::Lowercase(c);
        for (uint32_t k = 0; k < m.size; ++k) utf8::Append(out, m.data[k]);
      } else {
        utf8::Append(out, c);
      }
    }
    text.swap(out);
  }
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeLowercase(const nlohmann::json&) { return std::make_unique<Lowercase>(); }

}  // namespace crossrank

// StripAccents: removes every combining mark (General_Category M, unicode-normalization's is_combining_mark); it does
// not decompose first, so only marks already separate go.
#include "tokenizer/normalizers/normalization_tables.h"
#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

class StripAccents : public TextNormalizer {
 public:
  void Normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = 0; i < text.size();) {
      size_t start = i;
      char32_t c = utf8::Next(s, text.size(), i);
      if (!normalization::IsCombiningMark(c)) out.append(text, start, i - start);
    }
    text.swap(out);
  }
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeStripAccents(const nlohmann::json&) { return std::make_unique<StripAccents>(); }

}  // namespace crossrank

// Precomputes the ASCII fast path of the BertNormalizer.
#include "tokenizer/normalizer.h"

namespace crossrank {

Normalizer::Normalizer(const NormalizerOptions& options) : options_(options) {
  for (char32_t c = 0; c < 0x80; ++c) {
    uint8_t f = unicode::Flags(c);
    int32_t m = static_cast<int32_t>(c);
    if (options.clean_text && (f & unicode::kControl)) {
      m = -1;
    } else if (options.clean_text && (f & unicode::kWhitespace)) {
      m = ' ';
    } else if (options.lowercase && c >= 'A' && c <= 'Z') {
      m = static_cast<int32_t>(c - 'A' + 'a');
    }
    ascii_[c] = m;
  }
}

}  // namespace crossrank

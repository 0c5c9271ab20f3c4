// BertNormalizer: the fast path's streaming Normalizer (clean_text, handle_chinese_chars, strip_accents, lowercase in
// the crate's order) run over one segment.
#include <nlohmann/json.hpp>

#include "tokenizer/normalizer.h"
#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

class BertNormalizer : public TextNormalizer {
 public:
  explicit BertNormalizer(const NormalizerOptions& options) : prototype_(options) {}

  void Normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    Normalizer normalizer = prototype_;  // a copy: the pending-marks state is per call
    auto sink = [&out](char32_t c) { utf8::Append(out, c); };
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = 0; i < text.size();) normalizer.Push(utf8::Next(s, text.size(), i), sink);
    normalizer.Flush(sink);
    text.swap(out);
  }

 private:
  Normalizer prototype_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeBertNormalizer(const nlohmann::json& spec) {
  using namespace normalizer_options;
  NormalizerOptions options;
  options.clean_text = RequiredBool(spec, "clean_text");
  options.handle_chinese_chars = RequiredBool(spec, "handle_chinese_chars");
  options.lowercase = RequiredBool(spec, "lowercase");
  options.strip_accents = OptionalBool(spec, "strip_accents", options.lowercase);  // null follows lowercase
  return std::make_unique<BertNormalizer>(options);
}

}  // namespace crossrank

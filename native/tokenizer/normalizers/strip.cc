// Strip: removes leading and/or trailing characters that Rust's char::is_whitespace accepts.
#include <nlohmann/json.hpp>

#include "tokenizer/normalizers/normalizers.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace crossrank {
namespace {

class Strip : public TextNormalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}

  void Normalize(std::string& text) const override {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    size_t begin = 0, end = text.size();
    if (left_) {
      while (begin < end) {
        size_t next = begin;
        if (!(unicode::Flags(utf8::Next(s, end, next)) & unicode::kWhitespace)) break;
        begin = next;
      }
    }
    if (right_) {
      while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (s[start] & 0xC0) == 0x80) --start;  // back to the lead byte
        size_t next = start;
        if (!(unicode::Flags(utf8::Next(s, end, next)) & unicode::kWhitespace)) break;
        end = start;
      }
    }
    if (begin != 0 || end != text.size()) text = text.substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeStrip(const nlohmann::json& spec) {
  using namespace normalizer_options;
  bool left = RequiredBool(spec, "strip_left");
  bool right = RequiredBool(spec, "strip_right");
  return std::make_unique<Strip>(left, right);
}

}  // namespace crossrank

// Oniguruma behind crossrank::Regex: one-time library initialisation, compile errors as crossrank errors, find_iter.
#include "tokenizer/regex/regex.h"

#include <mutex>
#include <string>

#include "errors.h"
#include "oniguruma.h"

namespace crossrank {
namespace {

void InitializeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
    onig_initialize(encodings, 1);
  });
}

std::string OnigMessage(int code, OnigErrorInfo* info) {
  OnigUChar buffer[ONIG_MAX_ERROR_MESSAGE_LEN];
  int n = info ? onig_error_code_to_str(buffer, code, info) : onig_error_code_to_str(buffer, code);
  return std::string(reinterpret_cast<const char*>(buffer), n > 0 ? static_cast<size_t>(n) : 0);
}

struct RegionDeleter {
  void operator()(OnigRegion* region) const { onig_region_free(region, 1); }
};

// Length of the UTF-8 character starting at text[i] (1 for a stray byte), as Rust's chars().next().len_utf8().
size_t CharLength(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  return i + n <= text.size() ? n : text.size() - i;
}

}  // namespace

struct Regex::Compiled {
  regex_t* regex = nullptr;
  std::string pattern;
  ~Compiled() { onig_free(regex); }
};

Regex::Regex(std::string_view pattern) {
  InitializeOnce();
  auto compiled = std::make_shared<Compiled>();
  OnigErrorInfo info;
  const auto* begin = reinterpret_cast<const OnigUChar*>(pattern.data());
  int rc = onig_new(&compiled->regex, begin, begin + pattern.size(), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8,
                    ONIG_SYNTAX_DEFAULT, &info);
  if (rc != ONIG_NORMAL) {
    compiled->regex = nullptr;
    throw Error(code::kTokenizer, "invalid regex \"" + std::string(pattern) + "\": " + OnigMessage(rc, &info));
  }
  compiled->pattern = std::string(pattern);
  compiled_ = std::move(compiled);
}

Regex Regex::Literal(std::string_view text) {
  // The escaping of Rust's regex::escape: every regex metacharacter gets a backslash.
  std::string escaped;
  for (char c : text) {
    if (std::string_view("\\.+*?()|[]{}^$#&-~").find(c) != std::string_view::npos) escaped.push_back('\\');
    escaped.push_back(c);
  }
  return Regex(escaped);
}

std::vector<std::pair<size_t, size_t>> Regex::FindAll(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> matches;
  std::unique_ptr<OnigRegion, RegionDeleter> region(onig_region_new());
  if (text.data() == nullptr) text = std::string_view("", 0);  // Oniguruma needs a real pointer even for ""
  const auto* str = reinterpret_cast<const OnigUChar*>(text.data());
  const OnigUChar* end = str + text.size();
  size_t from = 0;
  bool have_last = false;
  size_t last_end = 0;
  while (from <= text.size()) {
    int at = onig_search(compiled_->regex, str, end, str + from, end, region.get(), ONIG_OPTION_NONE);
    if (at == ONIG_MISMATCH) break;
    // Oniguruma's retry limit (e.g. Qwen2's \s*[\r\n]+ over ~10 MB of spaces): the crate panics and aborts the
    // process here; crossrank rejects the input instead.
    if (at < 0) {
      throw Error(code::kTokenizer, "regex \"" + compiled_->pattern + "\" cannot match this input: " +
                                        OnigMessage(at, nullptr));
    }
    size_t start = static_cast<size_t>(region->beg[0]);
    size_t stop = static_cast<size_t>(region->end[0]);
    if (start == stop && have_last && last_end == stop) {
      // onig's find_iter: no empty match right after the previous one; step one character and search again.
      if (from >= text.size()) break;
      from += CharLength(text, from);
      continue;
    }
    matches.emplace_back(start, stop);
    from = stop;
    last_end = stop;
    have_last = true;
  }
  return matches;
}

std::vector<std::pair<char32_t, char32_t>> PropertyRanges(std::string_view name) {
  InitializeOnce();
  OnigEncoding encoding = ONIG_ENCODING_UTF8;
  auto* begin = reinterpret_cast<OnigUChar*>(const_cast<char*>(name.data()));
  int ctype = ONIGENC_PROPERTY_NAME_TO_CTYPE(encoding, begin, begin + name.size());
  OnigCodePoint single_byte_out = 0;
  const OnigCodePoint* ranges = nullptr;
  if (ctype < 0 || ONIGENC_GET_CTYPE_CODE_RANGE(encoding, ctype, &single_byte_out, &ranges) != 0 || ranges == nullptr) {
    throw Error(code::kTokenizer, "unknown Oniguruma property \"" + std::string(name) + "\"");
  }
  // Layout: the number of ranges, then each range's first and last code point.
  std::vector<std::pair<char32_t, char32_t>> out;
  out.reserve(ranges[0]);
  for (OnigCodePoint k = 0; k < ranges[0]; ++k) out.emplace_back(ranges[1 + 2 * k], ranges[2 + 2 * k]);
  return out;
}

}  // namespace crossrank

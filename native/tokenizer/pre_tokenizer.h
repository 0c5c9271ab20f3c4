// BertPreTokenizer over a stream of normalized characters: whitespace ends a word, each punctuation char is a word.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace crossrank {

// Collects the current word as UTF-8 plus the byte offset of each character; a word longer than max_chars keeps
// only its length (WordPiece turns it into one unk anyway).
class WordBuffer {
 public:
  explicit WordBuffer(size_t max_chars) : max_chars_(max_chars) {}

  void Append(char32_t c) {
    if (chars_ < max_chars_ + 1) {
      offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
      utf8::Append(bytes_, c);
    }
    ++chars_;
  }
  bool empty() const { return chars_ == 0; }
  bool too_long() const { return chars_ > max_chars_; }
  std::string_view bytes() const { return bytes_; }
  // offsets()[i] is where character i starts; offsets()[size()] == bytes().size().
  const uint32_t* offsets() {
    offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
    return offsets_.data();
  }
  size_t size() const { return chars_; }
  void Clear() {
    bytes_.clear();
    offsets_.clear();
    chars_ = 0;
  }

 private:
  size_t max_chars_;
  std::string bytes_;
  std::vector<uint32_t> offsets_;
  size_t chars_ = 0;
};

// BertPreTokenizer's split rules: Rust char::is_whitespace ends a word; ASCII punctuation and P* are words of their own.
inline bool IsBertSplitWhitespace(char32_t c) {
  return c < 0x80 ? (c == ' ' || (c >= 0x09 && c <= 0x0D)) : (unicode::Flags(c) & unicode::kWhitespace) != 0;
}
inline bool IsBertPunctuation(char32_t c) { return (unicode::Flags(c) & unicode::kPunctuation) != 0; }

}  // namespace crossrank

// Streaming BertNormalizer: clean_text, handle_chinese_chars, strip_accents (NFD then drop Mn), lowercase, in the crate's order.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "tokenizer/unicode_tables.h"

namespace crossrank {

struct NormalizerOptions {
  bool clean_text = false;
  bool handle_chinese_chars = false;
  bool strip_accents = false;  // already resolved: a null strip_accents follows lowercase
  bool lowercase = false;
};

// Per-text state: canonical ordering needs the run of pending non-starters. Push raw characters, Flush at a segment end.
class Normalizer {
 public:
  explicit Normalizer(const NormalizerOptions& options);

  void Reset() { pending_.clear(); }

  template <class Sink>
  void Push(char32_t c, Sink& sink) {
    if (c < 0x80) {
      int32_t m = ascii_[c];
      if (m < 0) return;
      if (options_.strip_accents) FlushPending(sink);
      sink(static_cast<char32_t>(m));
      return;
    }
    uint8_t f = unicode::Flags(c);
    if (options_.clean_text) {
      if (f & unicode::kControl) return;
      if (f & unicode::kWhitespace) {
        if (options_.strip_accents) FlushPending(sink);
        sink(U' ');
        return;
      }
    }
    if (options_.handle_chinese_chars && (f & unicode::kChinese)) {
      Decompose(U' ', sink);
      Decompose(c, sink);
      Decompose(U' ', sink);
    } else {
      Decompose(c, sink);
    }
  }

  template <class Sink>
  void Flush(Sink& sink) {
    FlushPending(sink);
  }

 private:
  static constexpr char32_t kHangulBase = 0xAC00, kHangulCount = 11172;

  template <class Sink>
  void Decompose(char32_t c, Sink& sink) {
    if (!options_.strip_accents) {
      Emit(c, sink);
      return;
    }
    if (c - kHangulBase < kHangulCount) {
      char32_t s = c - kHangulBase;
      Order(0x1100 + s / 588, sink);
      Order(0x1161 + (s % 588) / 28, sink);
      if (s % 28) Order(0x11A7 + s % 28, sink);
      return;
    }
    if (unicode::Flags(c) & unicode::kDecomposes) {
      unicode::Mapping m = unicode::Decomposition(c);
      for (uint32_t i = 0; i < m.size; ++i) Order(m.data[i], sink);
      return;
    }
    Order(c, sink);
  }

  // Canonical ordering: non-starters wait until the next starter, then go out sorted stably by combining class.
  template <class Sink>
  void Order(char32_t c, Sink& sink) {
    if (!(unicode::Flags(c) & unicode::kNonStarter)) {
      FlushPending(sink);
      Emit(c, sink);
    } else {
      pending_.push_back({unicode::CombiningClass(c), c});
    }
  }

  template <class Sink>
  void FlushPending(Sink& sink) {
    if (pending_.empty()) return;
    if (pending_.size() > 1) {
      std::stable_sort(pending_.begin(), pending_.end(),
                       [](const Pending& a, const Pending& b) { return a.ccc < b.ccc; });
    }
    for (const Pending& p : pending_) Emit(p.c, sink);
    pending_.clear();
  }

  template <class Sink>
  void Emit(char32_t c, Sink& sink) {
    uint8_t f = unicode::Flags(c);
    if (options_.strip_accents && (f & unicode::kNonspacingMark)) return;
    if (options_.lowercase && (f & unicode::kLowercases)) {
      unicode::Mapping m = unicode::Lowercase(c);
      for (uint32_t i = 0; i < m.size; ++i) sink(m.data[i]);
      return;
    }
    sink(c);
  }

  struct Pending {
    uint8_t ccc;
    char32_t c;
  };

  NormalizerOptions options_;
  std::array<int32_t, 128> ascii_;  // what an ASCII character becomes, or -1 when removed
  std::vector<Pending> pending_;
};

}  // namespace crossrank

// Flat two-stage Unicode tables (generated into unicode_tables.cc) and inline lookups for the tokenizer.
#pragma once
#include <cstdint>

namespace crossrank {
namespace unicode {

// Bits of Flags(c); each names the crate behaviour it reproduces (see scripts/gen-unicode-tables.ts).
enum Flag : uint8_t {
  kWhitespace = 1,       // Rust char::is_whitespace (White_Space)
  kControl = 2,          // removed by clean_text: Cc/Cf/Co except \t\n\r, plus NUL and U+FFFD
  kPunctuation = 4,      // ASCII punctuation or P* (BertPreTokenizer)
  kChinese = 8,          // BertNormalizer is_chinese_char
  kNonspacingMark = 16,  // Mn, removed by strip_accents
  kDecomposes = 32,      // has a canonical decomposition (Hangul syllables excluded: they are algorithmic)
  kLowercases = 64,      // char::to_lowercase differs from the char
  kNonStarter = 128,     // canonical combining class != 0
};

struct MappingEntry {
  uint32_t offset;
  uint32_t size;
};

constexpr uint32_t kBlockShift = 8;
constexpr uint32_t kBlockMask = (1u << kBlockShift) - 1;
constexpr char32_t kMaxCodePoint = 0x10FFFF;

extern const uint16_t kFlagsStage1[];
extern const uint8_t kFlagsStage2[];
extern const uint16_t kCombiningClassStage1[];
extern const uint8_t kCombiningClassStage2[];
extern const uint16_t kDecompositionStage1[];
extern const uint16_t kDecompositionStage2[];
extern const uint16_t kLowercaseStage1[];
extern const uint16_t kLowercaseStage2[];
extern const MappingEntry kMappings[];
extern const char32_t kMappingPool[];

inline uint8_t Flags(char32_t c) {
  return kFlagsStage2[(static_cast<uint32_t>(kFlagsStage1[c >> kBlockShift]) << kBlockShift) | (c & kBlockMask)];
}

inline uint8_t CombiningClass(char32_t c) {
  return kCombiningClassStage2[(static_cast<uint32_t>(kCombiningClassStage1[c >> kBlockShift]) << kBlockShift) |
                               (c & kBlockMask)];
}

struct Mapping {
  const char32_t* data;
  uint32_t size;
};

// Full canonical decomposition (recursive); only meaningful when Flags(c) has kDecomposes.
inline Mapping Decomposition(char32_t c) {
  const MappingEntry& e = kMappings[kDecompositionStage2[(static_cast<uint32_t>(kDecompositionStage1[c >> kBlockShift])
                                                          << kBlockShift) | (c & kBlockMask)]];
  return {kMappingPool + e.offset, e.size};
}

// char::to_lowercase; only meaningful when Flags(c) has kLowercases.
inline Mapping Lowercase(char32_t c) {
  const MappingEntry& e =
      kMappings[kLowercaseStage2[(static_cast<uint32_t>(kLowercaseStage1[c >> kBlockShift]) << kBlockShift) |
                                 (c & kBlockMask)]];
  return {kMappingPool + e.offset, e.size};
}

}  // namespace unicode
}  // namespace crossrank

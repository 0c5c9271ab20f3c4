// Unicode 9.0 data for NFC/NFKC/NFKD and StripAccents (generated into normalization_tables.cc); canonical
// decompositions and combining classes live in tokenizer/unicode_tables.h.
#pragma once
#include <cstddef>
#include <cstdint>

#include "tokenizer/unicode_tables.h"

namespace crossrank {
namespace normalization {

struct CompositionPair {
  char32_t first;
  char32_t second;
  char32_t composite;
};

extern const uint16_t kMarkStage1[];
extern const uint8_t kMarkStage2[];
extern const uint16_t kCompatibilityStage1[];
extern const uint16_t kCompatibilityStage2[];
extern const unicode::MappingEntry kCompatibilityMappings[];
extern const char32_t kCompatibilityPool[];
extern const CompositionPair kCompositionPairs[];  // sorted by (first, second)
extern const size_t kCompositionPairCount;

// General_Category M (Mn, Mc, Me): unicode-normalization's is_combining_mark.
inline bool IsCombiningMark(char32_t c) {
  if (c > unicode::kMaxCodePoint) return false;
  return kMarkStage2[(static_cast<uint32_t>(kMarkStage1[c >> unicode::kBlockShift]) << unicode::kBlockShift) |
                     (c & unicode::kBlockMask)] & 1;
}

// Full compatibility decomposition, canonically ordered; size 0 when the character has no decomposition.
inline unicode::Mapping CompatibilityDecomposition(char32_t c) {
  const unicode::MappingEntry& e =
      kCompatibilityMappings[kCompatibilityStage2[(static_cast<uint32_t>(kCompatibilityStage1[c >> unicode::kBlockShift])
                                                   << unicode::kBlockShift) |
                                                  (c & unicode::kBlockMask)]];
  return {kCompatibilityPool + e.offset, e.size};
}

}  // namespace normalization
}  // namespace crossrank

// Same arithmetic as the crate, including which side gets the odd token when both are cut.
#include "tokenizer/truncation.h"

#include <algorithm>
#include <utility>

#include "errors.h"

namespace crossrank {

PairCut CutPair(size_t a, size_t b, size_t budget, TruncationStrategy strategy) {
  if (budget == 0) return {0, 0};
  if (a + b <= budget) return {a, b};
  const size_t to_remove = a + b - budget;
  switch (strategy) {
    case TruncationStrategy::kLongestFirst: {
      size_t n1 = a, n2 = b;
      const bool swap = n1 > n2;
      if (swap) std::swap(n1, n2);
      n2 = n1 > budget ? n1 : std::max(n1, budget - n1);
      if (n1 + n2 > budget) {
        n1 = budget / 2;
        n2 = n1 + budget % 2;
      }
      if (swap) std::swap(n1, n2);
      return {std::min(n1, a), std::min(n2, b)};
    }
    case TruncationStrategy::kOnlyFirst:
    case TruncationStrategy::kOnlySecond: {
      const bool first = strategy == TruncationStrategy::kOnlyFirst;
      const size_t len = first ? a : b;
      if (len <= to_remove) {
        throw Error(code::kTruncation,
                    std::string("Truncation error: Sequence to truncate too short to respect the provided max_length (") +
                        (first ? "only_first" : "only_second") + " cannot fit the other text; use longest_first or a larger maxLength)");
      }
      return first ? PairCut{len - to_remove, b} : PairCut{a, len - to_remove};
    }
  }
  return {a, b};
}

}  // namespace crossrank

// One score() or rank() call as the engine sees it: its texts, their tokens, its results and its fate.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace crossrank {

enum class Activation { kIdentity, kSigmoid, kSoftmax };

struct Request {
  uint32_t ticket = 0;
  // score(): texts holds a0, b0, a1, b1, ...; rank(): the query, then one text per document.
  bool is_rank = false;
  std::vector<std::string> texts;
  size_t count = 0;  // pairs
  size_t max_length = 512;
  TruncationStrategy truncation = TruncationStrategy::kLongestFirst;
  Activation activation = Activation::kIdentity;
  int64_t num_labels = 1;

  // Token arena: pair i is ids[offsets[i] .. offsets[i + 1]); one allocation per call, not per pair.
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<uint32_t> offsets;

  std::vector<float> results;  // count * num_labels, written in place by the runner
  std::atomic<size_t> remaining{0};
  std::atomic<bool> settled{false};  // set once: by the last result, an error, or cancellation
  std::string error_code;
  std::string error_message;

  size_t length(size_t pair) const { return offsets[pair + 1] - offsets[pair]; }
};

}  // namespace crossrank

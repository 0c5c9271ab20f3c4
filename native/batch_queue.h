// The pending pairs of one model: oldest call first, filled with pairs that add little padding, under a token budget.
#pragma once
#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

#include "request.h"

namespace crossrank {

struct BatchLimits {
  size_t max_batch_tokens = 4096;  // padded tokens: rows x longest row
  size_t max_batch_size = 32;
  size_t max_queued_pairs = 100000;
  size_t length_bucket = 1;  // pad each batch's width up to a multiple of this
};

struct BatchEntry {
  std::shared_ptr<Request> request;
  uint32_t pair;
  uint32_t length;
};

class BatchQueue {
 public:
  explicit BatchQueue(const BatchLimits& limits) : limits_(limits) {}

  // Appends every pair of a tokenized request, shortest first so neighbours pad little.
  void Push(const std::shared_ptr<Request>& request);
  // Moves the next batch into `out` (cleared first): the oldest call's pairs, then later pairs no wider than the
  // batch, then any that fit. Entries of settled requests are dropped on the way.
  // Returns the number of pairs taken off the queue, dropped ones included.
  size_t Pop(std::vector<BatchEntry>& out);
  // Removes every entry of `request`; returns how many.
  size_t Remove(const Request* request);
  // Removes everything, returning each distinct request once.
  std::vector<std::shared_ptr<Request>> Clear();

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const BatchLimits& limits() const { return limits_; }

 private:
  BatchLimits limits_;
  std::deque<BatchEntry> entries_;
};

}  // namespace crossrank

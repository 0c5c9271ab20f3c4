// The pending pairs of one model, kept in length order and cut into batches under a padded-token budget.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "request.h"

namespace crossrank {

struct BatchLimits {
  size_t max_batch_tokens = 4096;  // padded tokens: rows x longest row
  size_t max_batch_size = 32;
  size_t max_queued_pairs = 100000;
  size_t length_bucket = 1;  // pad each batch's width up to a multiple of this
  size_t max_inflight_batches = 1;  // batches run at once (GPU: the next one is prepared while one computes)
  size_t run_cost_tokens = 16;  // fixed cost of one run, in padded tokens: padding beyond it is worth a run of its own
};

struct BatchEntry {
  std::shared_ptr<Request> request;
  uint64_t arrival;  // order of the request's arrival in the queue
  uint32_t pair;
  uint32_t length;
};

class BatchQueue {
 public:
  explicit BatchQueue(const BatchLimits& limits) : limits_(limits) {}

  // Adds every pair of a tokenized request, keeping the queue sorted by length.
  void Push(const std::shared_ptr<Request>& request);
  // Moves the next batch into `out` (cleared first): the oldest request's shortest pair and the neighbours in length
  // order, within the budget, that give the most real tokens per unit of cost (padded tokens + run_cost_tokens).
  // Entries of settled requests are dropped on the way.
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
  std::vector<BatchEntry> entries_;  // sorted by (length, arrival, pair)
  uint64_t next_arrival_ = 0;
};

}  // namespace crossrank

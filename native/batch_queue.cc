// Batch formation under a padded-token budget and a pair cap, in the spirit of text-embeddings-inference's queue.
#include "batch_queue.h"

#include <algorithm>
#include <numeric>

namespace crossrank {

void BatchQueue::Push(const std::shared_ptr<Request>& request) {
  std::vector<uint32_t> order(request->count);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return request->length(a) < request->length(b); });
  for (uint32_t pair : order) {
    entries_.push_back({request, pair, static_cast<uint32_t>(request->length(pair))});
  }
}

size_t BatchQueue::Pop(std::vector<BatchEntry>& out) {
  out.clear();
  const size_t before = entries_.size();
  // Entries of settled (cancelled or failed) requests are dropped wherever they are.
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [](const BatchEntry& e) { return e.request->settled.load(std::memory_order_acquire); }),
                 entries_.end());
  if (entries_.empty()) return before;

  std::vector<bool> taken(entries_.size(), false);
  size_t width = 0;
  auto fits = [&](size_t length) {
    const size_t widest = std::max(width, length);
    return out.size() < limits_.max_batch_size && (out.size() + 1) * widest <= limits_.max_batch_tokens;
  };
  auto take = [&](size_t i) {
    taken[i] = true;
    width = std::max<size_t>(width, entries_[i].length);
    out.push_back(entries_[i]);
  };
  // 1. The oldest call first, shortest pairs first: it finishes as early as possible.
  const Request* oldest = entries_.front().request.get();
  for (size_t i = 0; i < entries_.size() && entries_[i].request.get() == oldest; ++i) {
    // A lone pair longer than the budget still runs, alone.
    if (!fits(entries_[i].length) && !out.empty()) break;
    take(i);
  }
  // 2. Fill with later pairs no wider than the batch already is: they cost no padding.
  for (size_t i = 0; i < entries_.size() && out.size() < limits_.max_batch_size; ++i) {
    if (!taken[i] && entries_[i].length <= width && fits(entries_[i].length)) take(i);
  }
  // 3. Then with any later pairs that still fit the budget, oldest first.
  for (size_t i = 0; i < entries_.size() && out.size() < limits_.max_batch_size; ++i) {
    if (!taken[i] && fits(entries_[i].length)) take(i);
  }
  size_t kept = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!taken[i]) entries_[kept++] = std::move(entries_[i]);
  }
  entries_.resize(kept);
  return before - kept;
}

size_t BatchQueue::Remove(const Request* request) {
  const size_t before = entries_.size();
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const BatchEntry& e) { return e.request.get() == request; }),
                 entries_.end());
  return before - entries_.size();
}

std::vector<std::shared_ptr<Request>> BatchQueue::Clear() {
  std::vector<std::shared_ptr<Request>> requests;
  for (const BatchEntry& e : entries_) {
    if (requests.empty() || requests.back() != e.request) requests.push_back(e.request);
  }
  entries_.clear();
  std::sort(requests.begin(), requests.end());
  requests.erase(std::unique(requests.begin(), requests.end()), requests.end());
  return requests;
}

}  // namespace crossrank

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
  size_t taken = 0;
  size_t longest = 0;
  while (!entries_.empty()) {
    BatchEntry& next = entries_.front();
    if (next.request->settled.load(std::memory_order_acquire)) {
      entries_.pop_front();
      ++taken;
      continue;
    }
    const size_t widest = std::max<size_t>(longest, next.length);
    const bool fits = out.size() < limits_.max_batch_size && (out.size() + 1) * widest <= limits_.max_batch_tokens;
    // A lone pair longer than the budget still runs, alone.
    if (!out.empty() && !fits) break;
    longest = widest;
    out.push_back(std::move(next));
    entries_.pop_front();
    ++taken;
    if (out.size() == 1 && !fits) break;
  }
  return taken;
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

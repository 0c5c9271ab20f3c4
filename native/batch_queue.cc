// Batch formation under a padded-token budget and a pair cap, in the spirit of text-embeddings-inference's queue.
#include "batch_queue.h"

#include <algorithm>
#include <tuple>

namespace crossrank {
namespace {

bool Shorter(const BatchEntry& a, const BatchEntry& b) {
  return std::tie(a.length, a.arrival, a.pair) < std::tie(b.length, b.arrival, b.pair);
}

}  // namespace

void BatchQueue::Push(const std::shared_ptr<Request>& request) {
  const uint64_t arrival = next_arrival_++;
  const size_t middle = entries_.size();
  for (uint32_t pair = 0; pair < request->count; ++pair) {
    entries_.push_back({request, arrival, pair, static_cast<uint32_t>(request->length(pair))});
  }
  std::sort(entries_.begin() + static_cast<std::ptrdiff_t>(middle), entries_.end(), Shorter);
  std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(middle), entries_.end(), Shorter);
}

size_t BatchQueue::Pop(std::vector<BatchEntry>& out) {
  out.clear();
  const size_t before = entries_.size();
  // Entries of settled (cancelled or failed) requests are dropped wherever they are.
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [](const BatchEntry& e) { return e.request->settled.load(std::memory_order_acquire); }),
                 entries_.end());
  if (entries_.empty()) return before;

  // The anchor is the oldest call's shortest pair: every batch advances the oldest call, so none starves.
  size_t anchor = 0;
  for (size_t i = 1; i < entries_.size(); ++i) {
    if (entries_[i].arrival < entries_[anchor].arrival) anchor = i;
  }
  // Around it, the neighbours in length order: shorter ones cost no padding, then longer ones while the budget holds.
  size_t first = anchor;
  size_t last = anchor;
  size_t width = entries_[anchor].length;
  auto room = [&](size_t widest) {
    const size_t count = last - first + 1;
    return count < limits_.max_batch_size && (count + 1) * widest <= limits_.max_batch_tokens;
  };
  while (first > 0 && room(width)) --first;
  while (last + 1 < entries_.size() && room(std::max<size_t>(width, entries_[last + 1].length))) {
    width = std::max<size_t>(width, entries_[++last].length);
  }
  const auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(first);
  const auto end = entries_.begin() + static_cast<std::ptrdiff_t>(last + 1);
  out.assign(std::make_move_iterator(begin), std::make_move_iterator(end));
  entries_.erase(begin, end);
  return before - entries_.size();
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
  for (const BatchEntry& e : entries_) requests.push_back(e.request);
  entries_.clear();
  std::sort(requests.begin(), requests.end());
  requests.erase(std::unique(requests.begin(), requests.end()), requests.end());
  return requests;
}

}  // namespace crossrank

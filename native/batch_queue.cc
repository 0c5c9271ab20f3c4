// Batch formation under a padded-token budget and a pair cap, in the spirit of text-embeddings-inference's queue.
#include "batch_queue.h"

#include <algorithm>
#include <cstdint>
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
  // The batch is a run of the sorted queue around the anchor. Its width is its last (longest) entry's, which every
  // row is padded to; of the runs within the budget, the one with the most real tokens per unit of cost wins, the
  // cost being its padded tokens plus a run's fixed cost. So a much longer pair waits for a batch of its own length.
  const size_t max_size = std::max<size_t>(1, limits_.max_batch_size);
  const size_t budget = limits_.max_batch_tokens;
  const size_t bucket = std::max<size_t>(1, limits_.length_bucket);
  auto fits = [&](size_t count, size_t width) { return count == 1 || (count <= max_size && count * width <= budget); };
  // left_sum[j]: the lengths of the j entries just before the anchor (shorter or equal, longest first).
  const size_t left_cap = std::min(anchor, max_size - 1);
  std::vector<uint64_t> left_sum(left_cap + 1, 0);
  for (size_t j = 1; j <= left_cap; ++j) left_sum[j] = left_sum[j - 1] + entries_[anchor - j].length;

  size_t best_first = anchor;
  size_t best_last = anchor;
  uint64_t best_real = 0;
  uint64_t best_cost = 1;
  uint64_t right_real = 0;
  for (size_t last = anchor; last < entries_.size() && fits(last - anchor + 1, entries_[last].length); ++last) {
    right_real += entries_[last].length;
    const size_t count = last - anchor + 1;
    const size_t width = entries_[last].length;
    const uint64_t cost_width = (width + bucket - 1) / bucket * bucket;
    size_t left_max = std::min(left_cap, max_size - count);
    if (width > 0) left_max = std::min(left_max, budget / width > count ? budget / width - count : 0);
    auto real = [&](size_t j) { return right_real + left_sum[j]; };
    auto cost = [&](size_t j) { return std::max<uint64_t>(1, (count + j) * cost_width + limits_.run_cost_tokens); };
    // Adding the next shorter entry helps while its length per padded width is at least the batch's yield; the
    // entries shrink as the yield grows, so this holds for a prefix: find its end by bisection.
    auto helps = [&](size_t j) {
      return static_cast<unsigned __int128>(entries_[anchor - j - 1].length) * cost(j) >=
             static_cast<unsigned __int128>(cost_width) * real(j);
    };
    size_t lo = 0;
    size_t hi = left_max;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (helps(mid)) lo = mid + 1; else hi = mid;
    }
    // Ties go to the larger batch: the same yield in fewer runs.
    if (static_cast<unsigned __int128>(real(lo)) * best_cost >= static_cast<unsigned __int128>(best_real) * cost(lo)) {
      best_first = anchor - lo;
      best_last = last;
      best_real = real(lo);
      best_cost = cost(lo);
    }
  }
  const size_t first = best_first;
  const size_t last = best_last;
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

// Breadth-first build of PieceTrie from the sorted pieces.
#include "tokenizer/models/piece_trie.h"

#include <algorithm>
#include <limits>

#include "errors.h"

namespace crossrank {

void PieceTrie::Build(std::vector<std::pair<std::string_view, int32_t>> entries) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  nodes_.assign(1, Node{});
  labels_.assign(1, 0);
  std::fill(std::begin(root_), std::end(root_), 0u);
  struct Range {
    uint32_t node;
    size_t lo, hi, depth;
  };
  std::vector<Range> queue{{0, 0, entries.size(), 0}};
  for (size_t q = 0; q < queue.size(); ++q) {
    Range r = queue[q];
    if (r.lo < r.hi && entries[r.lo].first.size() == r.depth) {
      if (r.depth > 0) nodes_[r.node].value = entries[r.lo].second;
      ++r.lo;
    }
    if (nodes_.size() >= std::numeric_limits<uint32_t>::max() / 2) throw Error(code::kTokenizer, "vocabulary too large");
    const uint32_t first = static_cast<uint32_t>(nodes_.size());
    while (r.lo < r.hi) {
      const unsigned char byte = static_cast<unsigned char>(entries[r.lo].first[r.depth]);
      size_t end = r.lo + 1;
      while (end < r.hi && static_cast<unsigned char>(entries[end].first[r.depth]) == byte) ++end;
      const uint32_t child = static_cast<uint32_t>(nodes_.size());
      nodes_.push_back(Node{});
      labels_.push_back(byte);
      if (r.node == 0) root_[byte] = child;
      queue.push_back({child, r.lo, end, r.depth + 1});
      r.lo = end;
    }
    nodes_[r.node].first_child = first;
    nodes_[r.node].child_count = static_cast<uint32_t>(nodes_.size()) - first;
  }
}

}  // namespace crossrank

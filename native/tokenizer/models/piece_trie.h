// Read-only byte trie over a vocabulary for the Unigram lattice: each node's children sit next to each other (built
// breadth-first from the sorted pieces), so a prefix walk touches a few cache lines and the build is one sort and one pass.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace crossrank {

class PieceTrie {
 public:
  // `entries`: (piece, value) with unique pieces; the empty piece is never matched, as in the crate's trie.
  void Build(std::vector<std::pair<std::string_view, int32_t>> entries);

  // Calls f(length, value) for every piece that is a prefix of text[0, n), shortest first (the crate's
  // common_prefix_search order, which decides the lattice's ties).
  template <class F>
  void ForEachPrefix(const char* text, size_t n, F&& f) const {
    if (n == 0) return;
    uint32_t node = root_[static_cast<unsigned char>(text[0])];
    size_t i = 1;
    while (node != 0) {
      const Node& current = nodes_[node];
      if (current.value >= 0) f(i, current.value);
      if (i == n || current.child_count == 0) return;
      node = Child(current, static_cast<unsigned char>(text[i]));
      ++i;
    }
  }

 private:
  struct Node {
    uint32_t first_child = 0;
    uint32_t child_count = 0;
    int32_t value = -1;
  };

  uint32_t Child(const Node& parent, unsigned char byte) const {
    const unsigned char* labels = labels_.data() + parent.first_child;
    uint32_t lo = 0, hi = parent.child_count;
    while (hi - lo > 8) {
      uint32_t mid = (lo + hi) / 2;
      if (labels[mid] <= byte) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    for (uint32_t k = lo; k < hi; ++k) {
      if (labels[k] == byte) return parent.first_child + k;
      if (labels[k] > byte) break;
    }
    return 0;
  }

  std::vector<Node> nodes_;             // nodes_[0] is the root
  std::vector<unsigned char> labels_;   // the byte on the edge into node i
  uint32_t root_[256] = {};             // the root's child for each first byte (0: none)
};

}  // namespace crossrank

// Read-only string -> id map: open addressing over string_views into one arena, no allocation per lookup.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crossrank {

class Vocab {
 public:
  static constexpr int32_t kMissing = -1;

  // Later duplicates overwrite earlier ones, as a HashMap insert does.
  void Build(const std::vector<std::pair<std::string_view, int32_t>>& entries);
  int32_t Find(std::string_view key) const {
    if (key.size() > max_key_bytes_ || slots_.empty()) return kMissing;
    uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kMissing) return kMissing;
      if (s.hash == h && s.size == key.size() && std::char_traits<char>::compare(arena_.data() + s.offset, key.data(), key.size()) == 0) {
        return s.id;
      }
    }
  }
  size_t max_key_bytes() const { return max_key_bytes_; }
  size_t size() const { return count_; }

  static uint64_t Hash(std::string_view key) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ key.size();
    const unsigned char* p = reinterpret_cast<const unsigned char*>(key.data());
    size_t n = key.size();
    while (n >= 8) {
      uint64_t v;
      std::char_traits<char>::copy(reinterpret_cast<char*>(&v), reinterpret_cast<const char*>(p), 8);
      h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
      p += 8;
      n -= 8;
    }
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(p[k]) << (8 * k);
    h = (h ^ v) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    return h;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;
    uint32_t size = 0;
    int32_t id = kMissing;
  };
  std::string arena_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t max_key_bytes_ = 0;
  size_t count_ = 0;
};

}  // namespace crossrank

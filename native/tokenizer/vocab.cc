// Builds the open-addressing vocabulary table.
#include "tokenizer/vocab.h"

namespace crossrank {

void Vocab::Build(const std::vector<std::pair<std::string_view, int32_t>>& entries) {
  size_t bytes = 0;
  for (const auto& e : entries) bytes += e.first.size();
  arena_.clear();
  arena_.reserve(bytes);
  size_t capacity = 16;
  while (capacity < entries.size() * 2 + 1) capacity <<= 1;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  max_key_bytes_ = 0;
  count_ = 0;
  for (const auto& [key, id] : entries) {
    if (id < 0) continue;
    uint64_t h = Hash(key);
    size_t i = h & mask_;
    for (;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id == kMissing) break;
      if (s.hash == h && s.size == key.size() && arena_.compare(s.offset, s.size, key) == 0) break;
    }
    Slot& s = slots_[i];
    if (s.id == kMissing) {
      s.hash = h;
      s.offset = static_cast<uint32_t>(arena_.size());
      s.size = static_cast<uint32_t>(key.size());
      arena_.append(key);
      ++count_;
      if (key.size() > max_key_bytes_) max_key_bytes_ = key.size();
    }
    s.id = id;
  }
}

}  // namespace crossrank

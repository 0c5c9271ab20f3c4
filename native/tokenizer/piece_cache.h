// Per-thread memo of a model's ids for short pre-tokenized pieces. Natural text repeats its words (the crate caches
// Unigram and BPE results for the same reason), and a hit skips the lattice or merge loop and its cache misses.
// Direct-mapped and fixed-size, so memory is bounded; entries carry the owner's id, so models never see each other's.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace crossrank {

class PieceCache {
 public:
  static constexpr size_t kMaxPieceBytes = 22;
  static constexpr size_t kMaxIds = 8;

  PieceCache() : owner_(NextOwner()) {}
  PieceCache(const PieceCache&) = delete;
  PieceCache& operator=(const PieceCache&) = delete;

  class Local;
  // This thread's table for this cache: one thread-local lookup, then any number of Lookup / Insert calls.
  Local ThisThread() const;

 private:
  struct Slot {
    uint64_t owner = 0;  // 0: empty (owner ids start at 1 and are never reused)
    uint8_t length = 0;
    uint8_t count = 0;
    char text[kMaxPieceBytes];
    int32_t ids[kMaxIds];
  };
  static_assert(sizeof(Slot) == 64, "one cache line a slot");
  static constexpr size_t kSlots = 4096;  // 256 KiB a thread

  static uint64_t NextOwner() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }

  static Slot* Slots() {
    // Allocated on first use, so threads that never tokenize pay nothing.
    thread_local std::unique_ptr<Slot[]> slots;
    if (!slots) slots.reset(new Slot[kSlots]);
    return slots.get();
  }

  uint64_t owner_;
};

class PieceCache::Local {
 public:
  Local(Slot* slots, uint64_t owner) : slots_(slots), owner_(owner) {}

  // Appends the ids remembered for `piece` and returns true; false when this thread has none for it.
  bool Lookup(std::string_view piece, std::vector<int32_t>& ids) const {
    if (piece.size() > kMaxPieceBytes) return false;
    const Slot& slot = SlotFor(piece);
    if (slot.owner != owner_ || slot.length != piece.size() || !std::equal(piece.begin(), piece.end(), slot.text)) {
      return false;
    }
    ids.insert(ids.end(), slot.ids, slot.ids + slot.count);
    return true;
  }

  // Remembers `piece` -> ids[0, n) on this thread, replacing whatever shared its slot.
  void Insert(std::string_view piece, const int32_t* ids, size_t n) const {
    if (piece.size() > kMaxPieceBytes || n > kMaxIds) return;
    Slot& slot = SlotFor(piece);
    slot.owner = owner_;
    slot.length = static_cast<uint8_t>(piece.size());
    slot.count = static_cast<uint8_t>(n);
    std::copy_n(piece.data(), piece.size(), slot.text);
    std::copy_n(ids, n, slot.ids);  // not memcpy: ids may be null when n is 0
  }

 private:
  Slot& SlotFor(std::string_view piece) const {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
    for (unsigned char c : piece) h = (h ^ c) * 0x100000001b3ull;
    return slots_[(h ^ (h >> 29)) & (kSlots - 1)];
  }

  Slot* slots_;
  uint64_t owner_;
};

inline PieceCache::Local PieceCache::ThisThread() const { return Local(Slots(), owner_); }

}  // namespace crossrank

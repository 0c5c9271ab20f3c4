// BPE model: a piece's characters (with continuing_subword_prefix / end_of_word_suffix, unk fusing, byte fallback)
// merged pair by pair in rank order with the crate's priority queue over (rank, position), so stale entries and ties
// resolve exactly as in tokenizers' Word::merge_all. No cache: the merge of a word is cheap and the model stays immutable.
#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/models/models.h"
#include "tokenizer/vocab.h"

namespace crossrank {
namespace {

// (left id, right id) -> (rank, merged id), open addressing on the 64-bit pair.
class MergeMap {
 public:
  struct Merge {
    uint32_t rank;
    int32_t new_id;
  };

  void Reserve(size_t count) {
    size_t capacity = 16;
    while (capacity < count * 2 + 1) capacity <<= 1;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }
  // A later duplicate pair replaces the earlier one, as the crate's HashMap collect does.
  void Insert(int32_t left, int32_t right, Merge merge) {
    const uint64_t key = Key(left, right);
    for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used || s.key == key) {
        s = Slot{key, merge, true};
        return;
      }
    }
  }
  const Merge* Find(int32_t left, int32_t right) const {
    const uint64_t key = Key(left, right);
    for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.merge;
    }
  }

 private:
  struct Slot {
    uint64_t key = 0;
    Merge merge{0, 0};
    bool used = false;
  };
  static uint64_t Key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  static uint64_t Hash(uint64_t key) {
    key ^= key >> 33;
    key *= 0xFF51AFD7ED558CCDull;
    key ^= key >> 33;
    return key;
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

struct BpeOptions {
  std::vector<std::pair<std::string, int32_t>> vocab;
  std::vector<std::pair<std::string, std::string>> merges;
  std::optional<std::string> unk_token;
  std::string prefix;  // continuing_subword_prefix (None and "" behave the same)
  std::string suffix;  // end_of_word_suffix
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class Bpe : public Model {
 public:
  explicit Bpe(BpeOptions options)
      : unk_token_(std::move(options.unk_token)),
        prefix_(std::move(options.prefix)),
        suffix_(std::move(options.suffix)),
        fuse_unk_(options.fuse_unk),
        byte_fallback_(options.byte_fallback),
        ignore_merges_(options.ignore_merges) {
    std::vector<std::pair<std::string_view, int32_t>> entries(options.vocab.begin(), options.vocab.end());
    vocab_.Build(entries);
    merges_.Reserve(options.merges.size());
    std::string merged;
    for (size_t rank = 0; rank < options.merges.size(); ++rank) {
      const auto& [a, b] = options.merges[rank];
      const int32_t a_id = vocab_.Find(a);
      if (a_id == Vocab::kMissing) throw OutOfVocabulary(a);
      const int32_t b_id = vocab_.Find(b);
      if (b_id == Vocab::kMissing) throw OutOfVocabulary(b);
      // The crate cuts prefix.len() bytes off b whatever b starts with (and panics where it cannot).
      const size_t cut = prefix_.size();
      if (cut > b.size() || (cut < b.size() && (static_cast<unsigned char>(b[cut]) & 0xC0) == 0x80)) {
        throw Error(code::kTokenizer, "model \"BPE\": merge \"" + a + " " + b + "\" is shorter than continuing_subword_prefix");
      }
      merged.assign(a).append(b, cut, std::string::npos);
      const int32_t new_id = vocab_.Find(merged);
      if (new_id == Vocab::kMissing) throw OutOfVocabulary(merged);
      merges_.Insert(a_id, b_id, MergeMap::Merge{static_cast<uint32_t>(rank), new_id});
    }
    static const char kHex[] = "0123456789ABCDEF";
    for (unsigned byte = 0; byte < 256; ++byte) {
      byte_ids_[byte] = vocab_.Find(std::string("<0x") + kHex[byte >> 4] + kHex[byte & 15] + ">");
    }
  }

  void Tokenize(std::string_view piece, std::vector<int32_t>& ids) const override {
    if (piece.empty()) return;
    if (ignore_merges_) {
      const int32_t id = vocab_.Find(piece);
      if (id != Vocab::kMissing) {
        ids.push_back(id);
        return;
      }
    }
    std::vector<Symbol> symbols;
    symbols.reserve(piece.size());
    InitialSymbols(piece, symbols);
    MergeAll(symbols);
    for (const Symbol& s : symbols) {
      if (s.len != 0) ids.push_back(s.id);
    }
  }

  std::optional<int32_t> TokenToId(std::string_view token) const override {
    const int32_t id = vocab_.Find(token);
    if (id == Vocab::kMissing) return std::nullopt;
    return id;
  }

 private:
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    uint32_t len;  // bytes of the piece it covers; 0 once merged into its left neighbour
  };
  struct Candidate {
    uint32_t rank;
    uint32_t pos;
    int32_t new_id;
  };

  static Error OutOfVocabulary(const std::string& token) {
    return Error(code::kTokenizer, "model \"BPE\": merge token \"" + token + "\" is out of the vocabulary");
  }

  static void Add(std::vector<Symbol>& symbols, int32_t id, size_t len) {
    const int32_t index = static_cast<int32_t>(symbols.size());
    if (!symbols.empty()) symbols.back().next = index;
    symbols.push_back(Symbol{id, index - 1, -1, static_cast<uint32_t>(len)});
  }

  int32_t UnkId() const {
    const int32_t id = vocab_.Find(*unk_token_);
    if (id == Vocab::kMissing) throw Error(code::kTokenizer, "Unk token `" + *unk_token_ + "` not found in the vocabulary");
    return id;
  }

  // The crate's merge_word before merge_all. Note its byte-fallback branch adds the bytes without first flushing a
  // pending unk, so that unk lands after them (checked against the npm package).
  void InitialSymbols(std::string_view piece, std::vector<Symbol>& symbols) const {
    const size_t n = piece.size();
    bool pending = false;
    int32_t pending_id = 0;
    size_t pending_len = 0;
    std::string decorated;
    size_t i = 0;
    while (i < n) {
      size_t len = CharLength(static_cast<unsigned char>(piece[i]));
      if (len > n - i) len = n - i;
      const bool first = i == 0;
      const bool last = i + len == n;
      std::string_view symbol = piece.substr(i, len);
      if ((!first && !prefix_.empty()) || (last && !suffix_.empty())) {
        decorated.clear();
        if (!first) decorated.append(prefix_);
        decorated.append(symbol);
        if (last) decorated.append(suffix_);
        symbol = decorated;
      }
      i += len;
      const int32_t id = vocab_.Find(symbol);
      if (id != Vocab::kMissing) {
        if (pending) Add(symbols, pending_id, pending_len);
        pending = false;
        Add(symbols, id, len);
        continue;
      }
      if (byte_fallback_ && AllBytesKnown(symbol)) {
        for (unsigned char b : symbol) Add(symbols, byte_ids_[b], 1);
        continue;
      }
      if (!unk_token_) continue;  // no unk token: the character is dropped, as in the crate
      if (pending && fuse_unk_) {
        pending_len += len;
      } else {
        if (pending) Add(symbols, pending_id, pending_len);
        pending = true;
        pending_id = UnkId();
        pending_len = len;
      }
    }
    if (pending) Add(symbols, pending_id, pending_len);
  }

  static size_t CharLength(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
  }

  bool AllBytesKnown(std::string_view text) const {
    for (unsigned char b : text) {
      if (byte_ids_[b] == Vocab::kMissing) return false;
    }
    return true;
  }

  // Word::merge_all without dropout: a min-heap on (rank, pos); an entry is applied only if the pair now at pos still
  // merges into the entry's new id.
  void MergeAll(std::vector<Symbol>& symbols) const {
    auto later = [](const Candidate& x, const Candidate& y) { return x.rank != y.rank ? x.rank > y.rank : x.pos > y.pos; };
    std::vector<Candidate> heap;
    const int32_t count = static_cast<int32_t>(symbols.size());
    for (int32_t i = 0; i + 1 < count; ++i) {
      if (const MergeMap::Merge* m = merges_.Find(symbols[i].id, symbols[i + 1].id)) {
        heap.push_back(Candidate{m->rank, static_cast<uint32_t>(i), m->new_id});
      }
    }
    std::make_heap(heap.begin(), heap.end(), later);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      const Candidate top = heap.back();
      heap.pop_back();
      Symbol& current = symbols[top.pos];
      if (current.len == 0 || current.next == -1) continue;
      const int32_t next_pos = current.next;
      const Symbol right = symbols[next_pos];
      const MergeMap::Merge* target = merges_.Find(current.id, right.id);
      if (target == nullptr || target->new_id != top.new_id) continue;
      current.id = top.new_id;
      current.len += right.len;
      current.next = right.next;
      symbols[next_pos].len = 0;
      if (right.next > -1 && right.next < count) symbols[right.next].prev = static_cast<int32_t>(top.pos);
      if (current.prev >= 0) {
        if (const MergeMap::Merge* m = merges_.Find(symbols[current.prev].id, current.id)) {
          heap.push_back(Candidate{m->rank, static_cast<uint32_t>(current.prev), m->new_id});
          std::push_heap(heap.begin(), heap.end(), later);
        }
      }
      if (current.next >= 0 && current.next < count) {
        if (const MergeMap::Merge* m = merges_.Find(current.id, symbols[current.next].id)) {
          heap.push_back(Candidate{m->rank, top.pos, m->new_id});
          std::push_heap(heap.begin(), heap.end(), later);
        }
      }
    }
  }

  Vocab vocab_;
  MergeMap merges_;
  int32_t byte_ids_[256];
  std::optional<std::string> unk_token_;
  std::string prefix_;
  std::string suffix_;
  bool fuse_unk_;
  bool byte_fallback_;
  bool ignore_merges_;
};

std::vector<std::pair<std::string, std::string>> ReadMerges(const nlohmann::json& spec) {
  auto it = spec.find("merges");
  if (it == spec.end()) throw Error(code::kTokenizer, "model \"BPE\": Missing vocab/merges");
  if (!it->is_array()) throw Error(code::kTokenizer, "model \"BPE\": merges must be a list");
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(it->size());
  // serde's untagged MergeType: all [a, b] pairs, else all legacy "a b" strings.
  bool pairs = true;
  for (const nlohmann::json& m : *it) {
    if (!(m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())) {
      pairs = false;
      break;
    }
  }
  if (pairs) {
    for (const nlohmann::json& m : *it) merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    return merges;
  }
  size_t line = 0;
  for (const nlohmann::json& m : *it) {
    if (!m.is_string()) throw Error(code::kTokenizer, "model \"BPE\": merges must be [a, b] pairs or \"a b\" strings");
    const std::string& text = m.get_ref<const std::string&>();
    if (text.rfind("#version", 0) == 0) continue;  // skipped before ranks are counted, as the crate does
    ++line;
    const size_t space = text.find(' ');
    if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
      throw Error(code::kTokenizer, "Merges text file invalid at line " + std::to_string(line));
    }
    merges.emplace_back(text.substr(0, space), text.substr(space + 1));
  }
  return merges;
}

}  // namespace

std::unique_ptr<Model> MakeBpe(const nlohmann::json& spec) {
  auto dropout = spec.find("dropout");
  if (dropout != spec.end() && !dropout->is_null()) {
    if (!dropout->is_number()) throw Error(code::kTokenizer, "model \"BPE\": dropout must be a number or null");
    const double p = dropout->get<double>();
    const float p32 = static_cast<float>(p);
    if (!(p32 >= 0.0f && p32 <= 1.0f)) throw Error(code::kTokenizer, "Dropout should be between 0 and 1, inclusive");
    if (p32 != 0.0f) throw Error(code::kUnsupportedTokenizer, "model \"BPE\": dropout " + dropout->dump() + " is not supported");
  }
  BpeOptions options;
  options.vocab = TokenIdMap(spec, "vocab", "BPE");
  options.merges = ReadMerges(spec);
  options.unk_token = OptionalString(spec, "unk_token", "BPE");
  options.prefix = OptionalString(spec, "continuing_subword_prefix", "BPE").value_or("");
  options.suffix = OptionalString(spec, "end_of_word_suffix", "BPE").value_or("");
  options.fuse_unk = OptionalModelBool(spec, "fuse_unk", false, "BPE");
  options.byte_fallback = OptionalModelBool(spec, "byte_fallback", false, "BPE");
  options.ignore_merges = OptionalModelBool(spec, "ignore_merges", false, "BPE");
  return std::make_unique<Bpe>(std::move(options));
}

}  // namespace crossrank

// Unigram (SentencePiece) model: the best-scoring segmentation of a piece over the vocabulary trie, as the crate's
// encode_optimized computes it (unknown characters score min_score - 10 and consecutive ones fuse), with byte fallback.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/models/models.h"
#include "tokenizer/models/piece_trie.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace crossrank {
namespace {

constexpr double kUnkPenalty = 10.0;

// The crate reads scores with serde_json's default float parser (significand as f64, then one multiply or divide by a
// power of ten), which differs from correct rounding by an ulp on many 17-digit scores (8,334 of t5-small's), and ties
// in the lattice follow those bits. nlohmann gives the correctly rounded value; its shortest decimal is the text the
// writers (ryu, Python repr) put in the file, so re-reading those digits the serde way gives the crate's score.
double SerdeJsonF64(double correctly_rounded) {
  if (correctly_rounded == 0.0 || !std::isfinite(correctly_rounded)) return correctly_rounded;
  char text[64];
  auto result = std::to_chars(text, text + sizeof text, std::fabs(correctly_rounded), std::chars_format::scientific);
  if (result.ec != std::errc()) return correctly_rounded;
  // "d.ddde±x": the significand digits and the decimal exponent of the last digit.
  uint64_t significand = 0;
  int digits_after_point = 0;
  bool after_point = false;
  const char* p = text;
  for (; p < result.ptr && *p != 'e'; ++p) {
    if (*p == '.') {
      after_point = true;
      continue;
    }
    significand = significand * 10 + static_cast<uint64_t>(*p - '0');
    if (after_point) ++digits_after_point;
  }
  int exponent = 0;
  if (p < result.ptr) {
    const char* digits = p + 1;
    if (digits < result.ptr && *digits == '+') ++digits;
    std::from_chars(digits, result.ptr, exponent);
  }
  exponent -= digits_after_point;
  static const std::vector<double> kPow10 = [] {
    std::vector<double> pow10;
    for (int k = 0; k <= 308; ++k) pow10.push_back(std::strtod(("1e" + std::to_string(k)).c_str(), nullptr));
    return pow10;
  }();
  double f = static_cast<double>(significand);
  for (;;) {
    unsigned magnitude = exponent < 0 ? static_cast<unsigned>(-static_cast<int64_t>(exponent)) : static_cast<unsigned>(exponent);
    if (magnitude < kPow10.size()) {
      if (exponent >= 0) {
        f *= kPow10[magnitude];
      } else {
        f /= kPow10[magnitude];
      }
      break;
    }
    if (f == 0.0) break;
    if (exponent >= 0) return correctly_rounded;  // out of range for serde too; not reachable from a finite double
    f /= 1e308;
    exponent += 308;
  }
  return correctly_rounded < 0 ? -f : f;
}

std::string BytePiece(unsigned byte) {
  static const char kHex[] = "0123456789ABCDEF";
  return std::string("<0x") + kHex[byte >> 4] + kHex[byte & 15] + ">";
}

class Unigram : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> vocab, std::optional<size_t> unk_id, bool byte_fallback)
      : byte_fallback_(byte_fallback) {
    if (unk_id) {
      if (vocab.empty()) throw Error(code::kTokenizer, "model \"Unigram\": the vocabulary is empty but at least <unk> is needed");
      if (*unk_id >= vocab.size()) throw Error(code::kTokenizer, "model \"Unigram\": unk_id is larger than the vocabulary");
      unk_id_ = static_cast<int32_t>(*unk_id);
    }
    if (vocab.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
      throw Error(code::kTokenizer, "model \"Unigram\": vocabulary too large");
    }
    std::vector<std::pair<std::string_view, int32_t>> entries;
    entries.reserve(vocab.size());
    scores_.reserve(vocab.size());
    double min_score = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < vocab.size(); ++i) {
      entries.emplace_back(vocab[i].first, static_cast<int32_t>(i));
      scores_.push_back(vocab[i].second);
      if (vocab[i].second < min_score) min_score = vocab[i].second;
    }
    unk_score_ = min_score - kUnkPenalty;
    token_to_id_.Build(entries);  // a later duplicate wins, as the crate's HashMap insert
    std::vector<std::pair<std::string_view, int32_t>> unique;
    unique.reserve(entries.size());
    for (const auto& [piece, index] : entries) {
      if (token_to_id_.Find(piece) == index) unique.push_back({piece, index});  // the one entry the map kept
    }
    trie_.Build(std::move(unique));
    for (unsigned b = 0; b < 256; ++b) byte_ids_[b] = token_to_id_.Find(BytePiece(b));
  }

  void Tokenize(std::string_view piece, std::vector<int32_t>& ids) const override {
    const size_t n = piece.size();
    if (n == 0) return;
    struct Best {
      double score;
      int32_t id;
      int32_t start;  // -1: no path ends here yet
    };
    std::vector<Best> best(n + 1, Best{0.0, 0, -1});
    const unsigned char* bytes = reinterpret_cast<const unsigned char*>(piece.data());
    size_t pos = 0;
    while (pos < n) {
      const double till_here = best[pos].score;
      size_t next = pos;
      utf8::Next(bytes, n, next);
      const size_t char_len = next - pos;
      bool has_single = false;
      trie_.ForEachPrefix(piece.data() + pos, n - pos, [&](size_t length, int32_t id) {
        Best& target = best[pos + length];
        const double candidate = scores_[static_cast<size_t>(id)] + till_here;
        if (target.start < 0 || candidate > target.score) target = Best{candidate, id, static_cast<int32_t>(pos)};
        if (length == char_len) has_single = true;
      });
      if (!has_single) {
        Best& target = best[next];
        const double candidate = unk_score_ + till_here;
        if (target.start < 0 || candidate > target.score) {
          if (unk_id_ < 0) throw Error(code::kTokenizer, "Encountered an unknown token but `unk_id` is missing");
          target = Best{candidate, unk_id_, static_cast<int32_t>(pos)};
        }
      }
      pos = next;
    }
    // Walk back from the end; a run of unk nodes becomes one string, looked up as the crate looks up every result.
    struct Span {
      size_t start, end;
      int32_t id;  // -1: an unk run to look up
    };
    std::vector<Span> spans;
    size_t end = n;
    size_t unk_end = 0;
    bool in_unk = false;
    while (end > 0) {
      const Best& node = best[end];
      if (node.start < 0) throw Error(code::kTokenizer, "model \"Unigram\": no segmentation");
      const size_t start = static_cast<size_t>(node.start);
      if (unk_id_ >= 0 && node.id == unk_id_) {
        if (!in_unk) unk_end = end;
        in_unk = true;
      } else {
        if (in_unk) spans.push_back(Span{end, unk_end, -1});
        in_unk = false;
        spans.push_back(Span{start, end, node.id});
      }
      end = start;
    }
    if (in_unk) spans.push_back(Span{0, unk_end, -1});
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
      if (it->id >= 0) {
        ids.push_back(it->id);
        continue;
      }
      std::string_view text = piece.substr(it->start, it->end - it->start);
      int32_t id = token_to_id_.Find(text);
      if (id != Vocab::kMissing) {
        ids.push_back(id);
        continue;
      }
      if (byte_fallback_ && AllBytesKnown(text)) {
        for (unsigned char b : text) ids.push_back(byte_ids_[b]);
        continue;
      }
      if (unk_id_ < 0) throw Error(code::kTokenizer, "Encountered an unknown token but `unk_id` is missing");
      ids.push_back(unk_id_);
    }
  }

  std::optional<int32_t> TokenToId(std::string_view token) const override {
    int32_t id = token_to_id_.Find(token);
    if (id == Vocab::kMissing) return std::nullopt;
    return id;
  }

 private:
  bool AllBytesKnown(std::string_view text) const {
    for (unsigned char b : text) {
      if (byte_ids_[b] == Vocab::kMissing) return false;
    }
    return true;
  }

  std::vector<double> scores_;
  Vocab token_to_id_;
  PieceTrie trie_;
  int32_t byte_ids_[256];
  int32_t unk_id_ = -1;
  double unk_score_ = 0.0;
  bool byte_fallback_;
};

}  // namespace

std::unique_ptr<Model> MakeUnigram(const nlohmann::json& spec) {
  auto vocab_it = spec.find("vocab");
  if (vocab_it == spec.end()) throw Error(code::kTokenizer, "model \"Unigram\": missing vocab");
  if (!vocab_it->is_array()) throw Error(code::kTokenizer, "model \"Unigram\": vocab must be a list of [piece, score]");
  std::vector<std::pair<std::string, double>> vocab;
  vocab.reserve(vocab_it->size());
  for (const nlohmann::json& entry : *vocab_it) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number()) {
      throw Error(code::kTokenizer, "model \"Unigram\": vocab must be a list of [piece, score]");
    }
    const double score = entry[1].is_number_float() ? SerdeJsonF64(entry[1].get<double>()) : entry[1].get<double>();
    vocab.emplace_back(entry[0].get<std::string>(), score);
  }
  std::optional<size_t> unk_id;
  auto unk = spec.find("unk_id");
  if (unk != spec.end() && !unk->is_null()) {
    if (!unk->is_number_unsigned()) throw Error(code::kTokenizer, "model \"Unigram\": unk_id must be a non-negative integer");
    unk_id = static_cast<size_t>(unk->get<uint64_t>());
  }
  const bool byte_fallback = OptionalModelBool(spec, "byte_fallback", false, "Unigram");
  return std::make_unique<Unigram>(std::move(vocab), unk_id, byte_fallback);
}

}  // namespace crossrank

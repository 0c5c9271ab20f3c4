// Streams a text through added-token matching, normalization, pre-tokenization and WordPiece, stopping at a token cap.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "errors.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/utf8.h"

namespace crossrank {

// Added tokens grouped by first byte, longest first: the first hit at a position is the leftmost-longest match.
struct Tokenizer::AddedTokenIndex {
  std::array<std::vector<const AddedTokenSpec*>, 256> by_first_byte;
  std::array<bool, 256> any{};
};

// Resumable tokenization of one text; holds every piece of state, so Fill can be called again to go on.
class Tokenizer::Stream {
 public:
  Stream(const Tokenizer& tokenizer, std::string_view text)
      : t_(tokenizer),
        s_(reinterpret_cast<const unsigned char*>(text.data())),
        n_(text.size()),
        normalizer_(tokenizer.config_.normalizer),
        word_(tokenizer.wordpiece_->max_input_chars_per_word()) {}

  // Appends ids until a word brings out to `limit` ids or more, or the text ends; returns true when the text ended.
  // Like the tokenizers crate, only a word from the model stops it: added tokens count but never stop it themselves.
  bool Fill(std::vector<int32_t>& out, size_t limit) {
    out_ = &out;
    limit_ = limit;
    stopped_ = false;
    const AddedTokenIndex& added = *t_.added_;
    while (!stopped_) {
      if (pos_ >= n_) {
        EndSegment();
        return true;
      }
      if (added.any[s_[pos_]] && MatchAdded(added)) continue;
      char32_t c = utf8::Next(s_, n_, pos_);
      normalizer_.Push(c, *this);
    }
    return false;
  }

  // Normalized-character sink: the BertPreTokenizer.
  void operator()(char32_t c) {
    if (stopped_) return;
    if (IsBertSplitWhitespace(c)) {
      EndWord();
    } else if (IsBertPunctuation(c)) {
      EndWord();
      word_.Append(c);
      EndWord();
    } else {
      word_.Append(c);
    }
  }

 private:
  bool MatchAdded(const AddedTokenIndex& added) {
    for (const AddedTokenSpec* tok : added.by_first_byte[s_[pos_]]) {
      const size_t len = tok->content.size();
      if (n_ - pos_ >= len && std::memcmp(s_ + pos_, tok->content.data(), len) == 0) {
        EndSegment();  // may end the word that reaches the limit: then the added token is not taken
        if (!stopped_) out_->push_back(tok->id);
        pos_ += len;
        return true;
      }
    }
    return false;
  }

  void EndSegment() {
    normalizer_.Flush(*this);
    EndWord();
  }

  void EndWord() {
    if (word_.empty() || stopped_) return;
    const uint32_t* offsets = word_.too_long() ? nullptr : word_.offsets();
    t_.wordpiece_->Tokenize(word_.bytes(), offsets, word_.size(), *out_);
    word_.Clear();
    stopped_ = out_->size() >= limit_;
  }

  const Tokenizer& t_;
  const unsigned char* s_;
  size_t n_;
  size_t pos_ = 0;
  Normalizer normalizer_;
  WordBuffer word_;
  std::vector<int32_t>* out_ = nullptr;
  size_t limit_ = 0;
  bool stopped_ = false;
};

Tokenizer::Tokenizer(TokenizerConfig config)
    : config_(std::move(config)),
      wordpiece_(std::make_unique<const WordPiece>(config_.wordpiece)),
      added_(std::make_unique<AddedTokenIndex>()) {
  for (const AddedTokenSpec& tok : config_.added_tokens) {
    if (tok.content.empty()) continue;
    const unsigned char b = static_cast<unsigned char>(tok.content[0]);
    added_->by_first_byte[b].push_back(&tok);
    added_->any[b] = true;
  }
  for (auto& group : added_->by_first_byte) {
    std::stable_sort(group.begin(), group.end(), [](const AddedTokenSpec* x, const AddedTokenSpec* y) {
      return x->content.size() > y->content.size();
    });
  }
  CountSpecials();
}

Tokenizer::Tokenizer(std::unique_ptr<const Pipeline> pipeline, std::vector<TemplatePiece> pair_template,
                     size_t added_pair, int32_t pad_id)
    : pipeline_(std::move(pipeline)) {
  config_.pair_template = std::move(pair_template);
  config_.added_pair = added_pair;
  config_.pad_id = pad_id;
  CountSpecials();
}

void Tokenizer::CountSpecials() {
  bool has_first = false, has_second = false;
  for (const TemplatePiece& p : config_.pair_template) {
    if (p.kind == TemplatePiece::Kind::kSpecial) special_count_ += p.ids.size();
    has_first |= p.kind == TemplatePiece::Kind::kFirst;
    has_second |= p.kind == TemplatePiece::Kind::kSecond;
  }
  if (!has_first || !has_second) {
    throw Error(code::kTokenizer, "the pair template must contain both sequences A and B");
  }
  if (config_.added_pair) special_count_ = *config_.added_pair;
}

Tokenizer::~Tokenizer() = default;

void Tokenizer::Tokenize(std::string_view utf8, size_t max_length, TextTokens& out) const {
  out.clear();
  out.max_length = max_length;
  if (pipeline_) {
    out.complete = pipeline_->Tokenize(utf8, max_length, out.ids);
    return;
  }
  Stream stream(*this, utf8);
  // Stop where the crate stops (max_length tokens, at a word end): the pair cut depends on the length it saw.
  out.complete = stream.Fill(out.ids, max_length);
}

void Tokenizer::EncodePair(const TextTokens& a, const TextTokens& b, size_t max_length, TruncationStrategy strategy,
                           Encoding& out) const {
  const size_t budget = Budget(max_length);
  if ((!a.complete && a.max_length != max_length) || (!b.complete && b.max_length != max_length)) {
    throw Error(code::kTokenizer, "TextTokens were tokenized for another max_length than EncodePair was given");
  }
  if (max_length < special_count_) {
    // The crate then skips truncation and returns more than max_length tokens: no input a model can take.
    throw Error(code::kOutOfRange, "maxLength " + std::to_string(max_length) + " is less than the " +
                                       std::to_string(special_count_) + " special tokens this tokenizer adds to a pair");
  }
  const size_t la = a.ids.size(), lb = b.ids.size();
  const PairCut cut = CutPair(la, lb, budget, strategy);
  out.clear();
  out.ids.reserve(cut.first + cut.second + special_count_);
  out.type_ids.reserve(cut.first + cut.second + special_count_);
  for (const TemplatePiece& p : config_.pair_template) {
    const int32_t* ids;
    size_t n;
    if (p.kind == TemplatePiece::Kind::kSpecial) {
      ids = p.ids.data();
      n = p.ids.size();
    } else if (p.kind == TemplatePiece::Kind::kFirst) {
      ids = a.ids.data();
      n = std::min(cut.first, a.ids.size());
    } else {
      ids = b.ids.data();
      n = std::min(cut.second, b.ids.size());
    }
    out.ids.insert(out.ids.end(), ids, ids + n);
    out.type_ids.insert(out.type_ids.end(), n, p.type_id);
  }
}

void Tokenizer::EncodePair(std::string_view a, std::string_view b, size_t max_length, TruncationStrategy strategy,
                           Encoding& out) const {
  thread_local TextTokens ta, tb;
  Tokenize(a, max_length, ta);
  Tokenize(b, max_length, tb);
  EncodePair(ta, tb, max_length, strategy, out);
}

}  // namespace crossrank

// Greedy longest-match-first WordPiece, identical to the tokenizers crate's WordPiece::tokenize.
#include "tokenizer/wordpiece.h"

#include "errors.h"

namespace crossrank {

WordPiece::WordPiece(const WordPieceOptions& options) : max_input_chars_per_word_(options.max_input_chars_per_word) {
  if (options.tokens.size() != options.ids.size()) {
    throw Error(code::kTokenizer, "WordPiece vocabulary: tokens and ids differ in length");
  }
  std::vector<std::pair<std::string_view, int32_t>> all, cont;
  all.reserve(options.tokens.size());
  const std::string& prefix = options.continuing_subword_prefix;
  for (size_t i = 0; i < options.tokens.size(); ++i) {
    std::string_view t = options.tokens[i];
    all.emplace_back(t, options.ids[i]);
    if (t.size() > prefix.size() && t.compare(0, prefix.size(), prefix) == 0) {
      cont.emplace_back(t.substr(prefix.size()), options.ids[i]);
    }
  }
  initial_.Build(all);
  continuation_.Build(cont);
  unk_id_ = initial_.Find(options.unk_token);
  if (unk_id_ == Vocab::kMissing) {
    throw Error(code::kTokenizer, "WordPiece vocabulary has no entry for the unk token \"" + options.unk_token + "\"");
  }
}

void WordPiece::Tokenize(std::string_view word, const uint32_t* offsets, size_t n_chars,
                         std::vector<int32_t>& out) const {
  if (n_chars > max_input_chars_per_word_) {
    out.push_back(unk_id_);
    return;
  }
  const size_t first = out.size();
  size_t start = 0;
  while (start < n_chars) {
    const Vocab& vocab = start == 0 ? initial_ : continuation_;
    const size_t max_bytes = vocab.max_key_bytes();
    size_t end = n_chars;
    while (end > start && offsets[end] - offsets[start] > max_bytes) --end;
    int32_t id = Vocab::kMissing;
    for (; end > start; --end) {
      id = vocab.Find(word.substr(offsets[start], offsets[end] - offsets[start]));
      if (id != Vocab::kMissing) break;
    }
    if (id == Vocab::kMissing) {
      out.resize(first);
      out.push_back(unk_id_);
      return;
    }
    out.push_back(id);
    start = end;
  }
}

}  // namespace crossrank

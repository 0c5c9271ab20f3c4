// AddedVocabulary: ids assigned as the crate's deserializer does, a byte trie per pass, and the crate's find_matches.
#include "tokenizer/added_vocabulary.h"

#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/regex/regex.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace crossrank {

namespace {

struct TokenSpec {
  std::string content;
  bool single_word;
  bool lstrip;
  bool rstrip;
  bool normalized;
  bool special;

  bool operator==(const TokenSpec& o) const {
    return content == o.content && single_word == o.single_word && lstrip == o.lstrip && rstrip == o.rstrip &&
           normalized == o.normalized && special == o.special;
  }
};

bool RequiredBool(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end()) throw Error(code::kTokenizer, std::string("added_tokens: missing field \"") + key + "\"");
  if (!it->is_boolean()) throw Error(code::kTokenizer, std::string("added_tokens: \"") + key + "\" must be a boolean");
  return it->get<bool>();
}

TokenSpec ReadToken(const nlohmann::json& entry) {
  if (!entry.is_object()) throw Error(code::kTokenizer, "added_tokens: each entry must be an object");
  auto id = entry.find("id");  // required by the crate, then replaced by the id it assigns
  if (id == entry.end() || !(id->is_number_unsigned() || (id->is_number_integer() && id->get<int64_t>() >= 0))) {
    throw Error(code::kTokenizer, "added_tokens: \"id\" must be a non-negative integer");
  }
  auto content = entry.find("content");
  if (content == entry.end() || !content->is_string()) {
    throw Error(code::kTokenizer, "added_tokens: \"content\" must be a string");
  }
  return TokenSpec{content->get<std::string>(),       RequiredBool(entry, "single_word"),
                   RequiredBool(entry, "lstrip"),      RequiredBool(entry, "rstrip"),
                   RequiredBool(entry, "normalized"),  RequiredBool(entry, "special")};
}

// Rust regex's \w (regex_syntax::is_word_character): Alphabetic, M, Nd, Pc, Join_Control.
bool IsWordChar(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  static const Regex kWord("\\A[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]");
  std::string encoded;
  utf8::Append(encoded, c);
  return !kWord.FindAll(encoded).empty();
}

bool IsSpace(char32_t c) { return (unicode::Flags(c) & unicode::kWhitespace) != 0; }

// The start of the character that ends at `end` (> 0) in valid UTF-8.
size_t PreviousCharStart(std::string_view text, size_t end) {
  size_t i = end - 1;
  while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
  return i;
}

char32_t CharAt(std::string_view text, size_t i) {
  return utf8::Next(reinterpret_cast<const unsigned char*>(text.data()), text.size(), i);
}

// The crate's ends_with_word(&text[..end]) and starts_with_word(&text[start..]).
bool WordBefore(std::string_view text, size_t end) { return end > 0 && IsWordChar(CharAt(text, PreviousCharStart(text, end))); }
bool WordAfter(std::string_view text, size_t start) { return start < text.size() && IsWordChar(CharAt(text, start)); }

// Where the run of whitespace that ends at `end` starts (the crate's `\s*$` on text[..end]).
size_t SpaceRunStart(std::string_view text, size_t end) {
  while (end > 0) {
    size_t start = PreviousCharStart(text, end);
    if (!IsSpace(CharAt(text, start))) break;
    end = start;
  }
  return end;
}

// Where the run of whitespace that starts at `start` ends (the crate's `^\s*` on text[start..]).
size_t SpaceRunEnd(std::string_view text, size_t start) {
  while (start < text.size()) {
    size_t next = start;
    char32_t c = utf8::Next(reinterpret_cast<const unsigned char*>(text.data()), text.size(), next);
    if (!IsSpace(c)) break;
    start = next;
  }
  return start;
}

}  // namespace

AddedVocabulary::Matcher::Matcher() : nodes_(1), root_(256, -1) {}

int32_t AddedVocabulary::Matcher::Child(int32_t node, unsigned char byte) const {
  if (node == 0) return root_[byte];
  const auto& next = nodes_[node].next;
  auto it = std::lower_bound(next.begin(), next.end(), byte,
                             [](const std::pair<unsigned char, int32_t>& e, unsigned char b) { return e.first < b; });
  return it != next.end() && it->first == byte ? it->second : -1;
}

void AddedVocabulary::Matcher::Add(std::string_view pattern, int32_t id) {
  int32_t node = 0;
  for (char ch : pattern) {
    unsigned char byte = static_cast<unsigned char>(ch);
    int32_t child = Child(node, byte);
    if (child < 0) {
      child = static_cast<int32_t>(nodes_.size());
      nodes_.emplace_back();
      if (node == 0) {
        root_[byte] = child;
      } else {
        auto& next = nodes_[node].next;
        next.insert(std::lower_bound(next.begin(), next.end(), std::make_pair(byte, int32_t{-1})),
                    std::make_pair(byte, child));
      }
    }
    node = child;
  }
  if (nodes_[node].id < 0) nodes_[node].id = id;
}

std::optional<int32_t> AddedVocabulary::Matcher::Find(std::string_view pattern) const {
  int32_t node = 0;
  for (char ch : pattern) {
    node = Child(node, static_cast<unsigned char>(ch));
    if (node < 0) return std::nullopt;
  }
  if (nodes_[node].id < 0) return std::nullopt;
  return nodes_[node].id;
}

void AddedVocabulary::Matcher::FindAll(std::string_view text, std::vector<Match>& out) const {
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t node = root_[static_cast<unsigned char>(text[pos])];
    if (node < 0) {
      ++pos;
      continue;
    }
    int32_t best = -1;
    size_t best_end = 0;
    for (size_t i = pos + 1;; ++i) {
      if (nodes_[node].id >= 0) {
        best = nodes_[node].id;
        best_end = i;
      }
      if (i == text.size()) break;
      node = Child(node, static_cast<unsigned char>(text[i]));
      if (node < 0) break;
    }
    if (best < 0) {
      ++pos;
      continue;
    }
    out.push_back(Match{pos, best_end, best});
    pos = best_end;
  }
}

AddedVocabulary::AddedVocabulary(const nlohmann::json& added_tokens, const Model& model, size_t model_vocab_size,
                                 const TextNormalizer* normalizer) {
  if (added_tokens.is_null()) return;
  if (!added_tokens.is_array()) throw Error(code::kTokenizer, "added_tokens must be an array");

  // The crate adds the file's tokens one by one (add_special_tokens or add_tokens), then matches, for each id, the
  // last token given that id (added_tokens_map_r): its content on the raw text, or normalized on normalized text.
  std::unordered_map<int32_t, TokenSpec> by_id;
  std::optional<int64_t> max_id;
  for (const nlohmann::json& entry : added_tokens) {
    TokenSpec token = ReadToken(entry);
    if (token.content.empty()) continue;
    std::optional<int32_t> id = TokenToId(token.content);
    // The crate skips a token equal in every field to one it holds; only the holder of its content's id can be.
    if (id && by_id.count(*id) && by_id.at(*id) == token) continue;
    if (!id) id = model.TokenToId(token.content);
    int64_t assigned;
    if (id) {
      assigned = *id;
    } else {
      int64_t vocab = static_cast<int64_t>(model_vocab_size);
      assigned = !max_id ? vocab : (*max_id >= vocab || vocab == 0 ? *max_id + 1 : vocab);
    }
    if (assigned > std::numeric_limits<int32_t>::max()) {
      throw Error(code::kUnsupportedTokenizer, "added_tokens: id " + std::to_string(assigned) + " does not fit in int32");
    }
    ids_[token.content] = static_cast<int32_t>(assigned);
    max_id = std::max(max_id.value_or(assigned), assigned);
    by_id[static_cast<int32_t>(assigned)] = token;
  }

  for (const auto& [id, token] : by_id) {
    flags_[id] = Flags{token.single_word, token.lstrip, token.rstrip};
    std::string pattern = token.content;
    if (token.normalized && normalizer) normalizer->Normalize(pattern);
    if (pattern.empty()) {
      throw Error(code::kUnsupportedTokenizer, "added token \"" + token.content +
                                                   "\" normalizes to an empty string (the tokenizers crate then "
                                                   "splits the text between every byte)");
    }
    Matcher& matcher = token.normalized ? normalized_ : raw_;
    // The crate's tries take the tokens in hash order: for one text, any of them may win.
    std::optional<int32_t> existing = matcher.Find(pattern);
    if (existing && *existing != id) {
      throw Error(code::kUnsupportedTokenizer, "added tokens with ids " + std::to_string(*existing) + " and " +
                                                   std::to_string(id) + " both match \"" + pattern +
                                                   "\" (the tokenizers crate picks either at random)");
    }
    matcher.Add(pattern, id);
  }
}

std::optional<int32_t> AddedVocabulary::TokenToId(std::string_view content) const {
  auto it = ids_.find(std::string(content));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void AddedVocabulary::FindSplits(std::string_view text, const Matcher& matcher, std::vector<Piece>& out) const {
  out.clear();
  thread_local std::vector<Match> matches;
  matches.clear();
  matcher.FindAll(text, matches);
  size_t start_offset = 0;
  for (const Match& match : matches) {
    size_t start = match.start;
    size_t stop = match.end;
    const Flags& flags = flags_.at(match.id);
    if (flags.single_word && (WordBefore(text, start) || WordAfter(text, stop))) continue;
    if (flags.lstrip) start = std::max(SpaceRunStart(text, start), start_offset);
    if (flags.rstrip) stop = SpaceRunEnd(text, stop);
    // An lstrip token that starts inside the spaces an rstrip token took: the crate slices backwards and aborts.
    if (start > stop) throw Error(code::kTokenizer, "added tokens overlap in a way the tokenizers crate aborts on");
    if (start_offset < start) out.push_back(Piece{start_offset, start, std::nullopt});
    if (start < stop) out.push_back(Piece{start, stop, match.id});  // an empty token split is dropped, as in the crate
    start_offset = stop;
  }
  if (start_offset != text.size()) out.push_back(Piece{start_offset, text.size(), std::nullopt});
}

void AddedVocabulary::Split(std::string_view raw, const TextNormalizer* normalizer, std::vector<Segment>& out) const {
  thread_local std::vector<Piece> raw_pieces;
  thread_local std::vector<Piece> pieces;
  if (raw_.empty()) {
    raw_pieces.assign(1, Piece{0, raw.size(), std::nullopt});
  } else {
    FindSplits(raw, raw_, raw_pieces);
  }
  for (const Piece& raw_piece : raw_pieces) {
    if (raw_piece.id) {
      out.push_back(Segment{std::string(), raw_piece.id, false});
      continue;
    }
    std::string text(raw.substr(raw_piece.start, raw_piece.end - raw_piece.start));
    if (normalizer) normalizer->Normalize(text);
    if (text.empty()) continue;
    bool at_start = raw_piece.start == 0;
    if (normalized_.empty()) {
      out.push_back(Segment{std::move(text), std::nullopt, at_start});
      continue;
    }
    FindSplits(text, normalized_, pieces);
    if (pieces.size() == 1 && !pieces[0].id) {
      out.push_back(Segment{std::move(text), std::nullopt, at_start});
      continue;
    }
    for (const Piece& piece : pieces) {
      if (piece.id) {
        out.push_back(Segment{std::string(), piece.id, false});
      } else {
        out.push_back(Segment{text.substr(piece.start, piece.end - piece.start), std::nullopt,
                              at_start && piece.start == 0});
      }
    }
  }
}

}  // namespace crossrank

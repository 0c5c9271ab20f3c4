// The crate's AddedVocabulary: tokenizer.json's added_tokens, and the split of an input into those tokens and the
// normalized text between them (two passes: tokens with normalized=false on the raw text, then the others on each
// normalized piece), with lstrip/rstrip/single_word and leftmost-longest matching as the crate's aho-corasick does.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/components.h"

namespace crossrank {

class AddedVocabulary {
 public:
  // One piece of the input: an added token (`id` set, `text` empty) or normalized text for the pre-tokenizer.
  // `at_start`: the text begins at offset 0 of the raw input and of its normalized piece (see Split).
  struct Segment {
    std::string text;
    std::optional<int32_t> id;
    bool at_start = false;
  };

  // No added tokens: Split only normalizes.
  AddedVocabulary() = default;

  // `added_tokens` is tokenizer.json's array (null: none). Ids are assigned as the crate's deserializer does, not read
  // from the file: the id of the content in the added tokens so far or in `model`, else the next id after
  // `model_vocab_size` (the model's get_vocab_size()) and the added ids. `normalizer` (may be null) is the tokenizer's,
  // applied to the content of normalized tokens; it must be the one later passed to Split.
  // Throws Error(code::kTokenizer) for a malformed entry, Error(code::kUnsupportedTokenizer) for a token the crate
  // mishandles: one whose normalized content is empty (the crate then splits between every byte, or aborts), or two
  // that normalize to the same text with different ids (the crate picks one at random).
  AddedVocabulary(const nlohmann::json& added_tokens, const Model& model, size_t model_vocab_size,
                  const TextNormalizer* normalizer);

  // Appends the segments of `raw` to `out`, in order; empty text segments are dropped, as in the crate. Text segments
  // come out normalized by `normalizer` (may be null). `at_start` is true only for a text segment that begins at raw
  // offset 0 and at offset 0 of its normalized piece; the crate's test (the original offset of the segment's first
  // normalized byte is 0) is false where the normalizer deleted the input's first characters, which this class cannot
  // see through TextNormalizer.
  void Split(std::string_view raw, const TextNormalizer* normalizer, std::vector<Segment>& out) const;

  // The id of an added token's content (the crate's added_tokens_map), else nullopt.
  std::optional<int32_t> TokenToId(std::string_view content) const;

  bool empty() const { return ids_.empty(); }

 private:
  struct Flags {
    bool single_word = false;
    bool lstrip = false;
    bool rstrip = false;
  };

  struct Match {
    size_t start;
    size_t end;
    int32_t id;
  };

  // The patterns of one pass as a byte trie; LongestAt gives the longest pattern starting at a position.
  class Matcher {
   public:
    Matcher();
    // Keeps the first id given for a pattern.
    void Add(std::string_view pattern, int32_t id);
    bool empty() const { return nodes_.size() == 1; }
    // Leftmost-longest non-overlapping matches, each search resuming at the previous match's end.
    void FindAll(std::string_view text, std::vector<Match>& out) const;
    // The id already stored for `pattern`, if any.
    std::optional<int32_t> Find(std::string_view pattern) const;

   private:
    struct Node {
      std::vector<std::pair<unsigned char, int32_t>> next;  // sorted by byte
      int32_t id = -1;
    };
    int32_t Child(int32_t node, unsigned char byte) const;
    std::vector<Node> nodes_;
    std::vector<int32_t> root_;  // 256 children of the root, -1 for none
  };

  // One split of a pass: [start, end) of the piece it was found in, and the token's id if it is one. Token splits of
  // the crate may overlap the previous one (an rstrip took spaces that a later token starts with); text splits do not.
  struct Piece {
    size_t start;
    size_t end;
    std::optional<int32_t> id;
  };

  // The crate's find_matches: the splits of `text`, tokens and the text between them, in order.
  void FindSplits(std::string_view text, const Matcher& matcher, std::vector<Piece>& out) const;

  std::unordered_map<std::string, int32_t> ids_;    // content -> id
  std::unordered_map<int32_t, Flags> flags_;        // id -> the options of the last token given that id
  Matcher raw_;                                     // normalized=false tokens, matched on the raw input
  Matcher normalized_;                              // normalized=true tokens, their content normalized
};

}  // namespace crossrank

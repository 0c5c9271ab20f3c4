// The tokenizer.json "post_processor", resolved at load into what it puts around each sequence: crossrank keeps ids and
// type ids only, so every processor the crate has (and every Sequence of them) reduces to one template per arity.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/components.h"

namespace crossrank {

struct PostProcessor {
  std::vector<TemplatePiece> single;  // encode(a): special ids and kFirst, in order
  std::vector<TemplatePiece> pair;    // encode(a, b): special ids, kFirst and kSecond, in order
  // The crate's added_tokens(is_pair), which pair truncation subtracts from max_length. It is not always the number of
  // special ids in the template (a Sequence sums its parts, a Template counts only ids it knows), so it is kept apart.
  size_t added_single = 0;
  size_t added_pair = 0;

  size_t AddedTokens(bool is_pair) const { return is_pair ? added_pair : added_single; }
};

// A JSON null gives std::nullopt: no post-processor, where the crate adds nothing and keeps each sequence's own type
// ids (A 0, B 1); NoPostProcessor() spells that out. An object the crate reads as no processor throws
// Error(code::kUnsupportedTokenizer) when its "type" is a name the crate does not have, else Error(code::kTokenizer);
// a processor the crate accepts at load but aborts on at encode time (a template naming a special token it lacks, $B
// in the single template, a Template after a processor that split the encoding) throws too, never a template that
// would give other ids.
std::optional<PostProcessor> MakePostProcessor(const nlohmann::json& spec);

// single [A:0], pair [A:0, B:1], no added tokens.
PostProcessor NoPostProcessor();

}  // namespace crossrank

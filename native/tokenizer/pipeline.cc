// Runs the four stages per segment; scratch vectors are per thread because one Pipeline serves every worker.
#include "tokenizer/pipeline.h"

#include <utility>

namespace crossrank {

Pipeline::Pipeline(AddedVocabulary added, std::unique_ptr<TextNormalizer> normalizer,
                   std::unique_ptr<PreTokenizer> pre_tokenizer, std::unique_ptr<Model> model)
    : added_(std::move(added)),
      normalizer_(std::move(normalizer)),
      pre_tokenizer_(std::move(pre_tokenizer)),
      model_(std::move(model)) {}

bool Pipeline::Tokenize(std::string_view text, size_t limit, std::vector<int32_t>& ids) const {
  thread_local std::vector<AddedVocabulary::Segment> segments;
  thread_local std::vector<Split> splits;
  const PieceCache::Local cache = cache_.ThisThread();
  segments.clear();
  added_.Split(text, normalizer_.get(), segments);
  // Once the limit is reached, go on only until one more id appears: "complete" must mean no token was left out.
  std::optional<size_t> reached;
  const auto more = [&](size_t before) {
    if (reached && ids.size() > before) {
      ids.resize(*reached);
      return true;
    }
    if (!reached && ids.size() >= limit) reached = ids.size();
    return false;
  };
  for (AddedVocabulary::Segment& segment : segments) {
    if (segment.id) {
      if (reached) return false;   // a token is left out
      ids.push_back(*segment.id);  // an added token counts toward the limit but never stops tokenization itself
      continue;
    }
    splits.clear();
    splits.push_back(Split{std::move(segment.text), segment.at_start});
    if (pre_tokenizer_) pre_tokenizer_->PreTokenize(splits);
    for (const Split& split : splits) {
      if (split.text.empty()) continue;
      const size_t before = ids.size();
      if (!cache.Lookup(split.text, ids)) {
        model_->Tokenize(split.text, ids);
        cache.Insert(split.text, ids.data() + before, ids.size() - before);
      }
      if (more(before)) return false;
    }
  }
  return true;
}

std::optional<int32_t> Pipeline::TokenToId(std::string_view token) const {
  if (std::optional<int32_t> id = added_.TokenToId(token)) return id;
  return model_->TokenToId(token);
}

}  // namespace crossrank

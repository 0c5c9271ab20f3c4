// Sequence: each pre-tokenizer in turn, over the pieces the previous one made.
#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/pre_tokenizers/pre_tokenizers.h"

namespace crossrank {
namespace {

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    for (const auto& step : steps_) step->PreTokenize(splits);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeSequence(const nlohmann::json& spec) {
  auto list = spec.find("pretokenizers");
  if (list == spec.end() || !list->is_array()) {
    throw Error(code::kTokenizer, "pre_tokenizer \"Sequence\": pretokenizers must be an array");
  }
  std::vector<std::unique_ptr<PreTokenizer>> steps;
  for (const nlohmann::json& item : *list) {
    if (item.is_null()) throw Error(code::kTokenizer, "pre_tokenizer \"Sequence\": null pre-tokenizer");
    steps.push_back(MakePreTokenizer(item));
  }
  return std::make_unique<Sequence>(std::move(steps));
}

}  // namespace crossrank

// RobertaProcessing: <s> A </s> and </s> B </s>, every type id 0; trim_offsets and add_prefix_space touch offsets only.
#include <nlohmann/json.hpp>

#include "tokenizer/processors/processors.h"

namespace crossrank {

namespace {

class RobertaProcessing : public ProcessorStep {
 public:
  RobertaProcessing(int32_t sep, int32_t cls) : sep_(sep), cls_(cls) {}

  size_t AddedTokens(bool is_pair) const override { return is_pair ? 4 : 2; }

  void Process(std::vector<SymbolicEncoding>& encodings) const override {
    for (size_t i = 0; i < encodings.size(); ++i) {
      SymbolicEncoding& encoding = encodings[i];
      SetTypeIds(encoding, 0);  // "Roberta is weird": the crate zeroes them before adding anything
      encoding.insert(encoding.begin(), SpecialPiece(i == 0 ? cls_ : sep_, 0));
      encoding.push_back(SpecialPiece(sep_, 0));
    }
  }

 private:
  int32_t sep_;
  int32_t cls_;
};

}  // namespace

std::unique_ptr<ProcessorStep> TryRobertaProcessing(const nlohmann::json& spec) {
  std::optional<int32_t> sep = ReadTokenTuple(spec, "sep");
  std::optional<int32_t> cls = ReadTokenTuple(spec, "cls");
  // Both bools are required: without them the crate falls through to BertProcessing, whatever "type" says.
  if (!sep || !cls || !ReadBool(spec, "trim_offsets") || !ReadBool(spec, "add_prefix_space")) return nullptr;
  return std::make_unique<RobertaProcessing>(*sep, *cls);
}

}  // namespace crossrank

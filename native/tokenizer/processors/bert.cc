// BertProcessing: [CLS] A [SEP] with A's type ids, then each later encoding followed by [SEP] with type id 1.
#include <nlohmann/json.hpp>

#include "tokenizer/processors/processors.h"

namespace crossrank {

namespace {

class BertProcessing : public ProcessorStep {
 public:
  BertProcessing(int32_t sep, int32_t cls) : sep_(sep), cls_(cls) {}

  size_t AddedTokens(bool is_pair) const override { return is_pair ? 3 : 2; }

  void Process(std::vector<SymbolicEncoding>& encodings) const override {
    for (size_t i = 0; i < encodings.size(); ++i) {
      SymbolicEncoding& encoding = encodings[i];
      if (i == 0) {
        encoding.insert(encoding.begin(), SpecialPiece(cls_, 0));
        encoding.push_back(SpecialPiece(sep_, 0));
      } else {
        encoding.push_back(SpecialPiece(sep_, 1));  // the sequence keeps its own type ids (B's are 1 from encode)
      }
    }
  }

 private:
  int32_t sep_;
  int32_t cls_;
};

}  // namespace

std::unique_ptr<ProcessorStep> TryBertProcessing(const nlohmann::json& spec) {
  std::optional<int32_t> sep = ReadTokenTuple(spec, "sep");
  std::optional<int32_t> cls = ReadTokenTuple(spec, "cls");
  if (!sep || !cls) return nullptr;
  return std::make_unique<BertProcessing>(*sep, *cls);
}

}  // namespace crossrank

// Sequence: each processor in turn on what the previous one returned; added tokens are the sum of theirs.
#include <nlohmann/json.hpp>

#include "tokenizer/processors/processors.h"

namespace crossrank {

namespace {

class SequenceProcessing : public ProcessorStep {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<ProcessorStep>> steps) : steps_(std::move(steps)) {}

  size_t AddedTokens(bool is_pair) const override {
    size_t total = 0;
    for (const auto& step : steps_) total += step->AddedTokens(is_pair);
    return total;
  }

  void Process(std::vector<SymbolicEncoding>& encodings) const override {
    for (const auto& step : steps_) step->Process(encodings);
  }

 private:
  std::vector<std::unique_ptr<ProcessorStep>> steps_;
};

}  // namespace

std::unique_ptr<ProcessorStep> TrySequenceProcessing(const nlohmann::json& spec) {
  auto type = spec.find("type");
  auto processors = spec.find("processors");
  if (type == spec.end() || *type != "Sequence" || processors == spec.end() || !processors->is_array()) return nullptr;
  std::vector<std::unique_ptr<ProcessorStep>> steps;
  for (const nlohmann::json& item : *processors) steps.push_back(MakeProcessorStep(item));
  return std::make_unique<SequenceProcessing>(std::move(steps));
}

}  // namespace crossrank

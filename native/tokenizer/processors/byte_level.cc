// ByteLevel as a post-processor: it trims offsets and adds nothing, so on ids it is the identity.
#include <nlohmann/json.hpp>

#include "tokenizer/processors/processors.h"

namespace crossrank {

namespace {

class ByteLevelProcessing : public ProcessorStep {
 public:
  size_t AddedTokens(bool) const override { return 0; }
  void Process(std::vector<SymbolicEncoding>&) const override {}
};

}  // namespace

std::unique_ptr<ProcessorStep> TryByteLevelProcessing(const nlohmann::json& spec) {
  // The crate's ByteLevel checks "type"; add_prefix_space and trim_offsets are required, use_regex a bool if present.
  auto type = spec.find("type");
  if (type == spec.end() || *type != "ByteLevel") return nullptr;
  if (!ReadBool(spec, "add_prefix_space") || !ReadBool(spec, "trim_offsets")) return nullptr;
  if (spec.contains("use_regex") && !ReadBool(spec, "use_regex")) return nullptr;
  return std::make_unique<ByteLevelProcessing>();
}

}  // namespace crossrank

// The post-processors of the crate as steps over symbolic encodings (one file each), and the readers they share.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/components.h"

namespace crossrank {

// An encoding as the crate's process_encodings passes it on: the pieces it is made of, each with its type id. The
// crate's processors only concatenate, wrap and retype encodings, so running them on pieces gives the final template.
using SymbolicEncoding = std::vector<TemplatePiece>;

class ProcessorStep {
 public:
  virtual ~ProcessorStep() = default;
  // The crate's added_tokens(is_pair).
  virtual size_t AddedTokens(bool is_pair) const = 0;
  // The crate's process_encodings with add_special_tokens = true.
  virtual void Process(std::vector<SymbolicEncoding>& encodings) const = 0;
};

// The crate reads "post_processor" as an untagged enum: Roberta, Bert, ByteLevel, Template, Sequence, the first whose
// fields fit wins, and only ByteLevel and Sequence check "type". Each Try* returns nullptr when `spec` does not fit.
std::unique_ptr<ProcessorStep> TryRobertaProcessing(const nlohmann::json& spec);
std::unique_ptr<ProcessorStep> TryBertProcessing(const nlohmann::json& spec);
std::unique_ptr<ProcessorStep> TryByteLevelProcessing(const nlohmann::json& spec);
std::unique_ptr<ProcessorStep> TryTemplateProcessing(const nlohmann::json& spec);
std::unique_ptr<ProcessorStep> TrySequenceProcessing(const nlohmann::json& spec);

// The first step that fits `spec`; throws (see MakePostProcessor) when none does.
std::unique_ptr<ProcessorStep> MakeProcessorStep(const nlohmann::json& spec);

// serde's u32 from JSON (an integer, or a float with an integral value, in range), else nullopt.
std::optional<uint32_t> ReadU32(const nlohmann::json& value);
// A u32 id or type id crossrank can hold (int32); a larger one the crate accepts throws Error(kUnsupportedTokenizer).
int32_t NarrowId(uint32_t value, const char* what);
// A (String, u32) tuple: a JSON array of a string and a u32, else nullopt.
std::optional<int32_t> ReadTokenTuple(const nlohmann::json& spec, const char* key);
// A required bool field, else nullopt.
std::optional<bool> ReadBool(const nlohmann::json& spec, const char* key);

// Sets every piece of `encoding` to `type_id` (the crate's set_type_ids over the whole encoding).
void SetTypeIds(SymbolicEncoding& encoding, int32_t type_id);
TemplatePiece SpecialPiece(int32_t id, int32_t type_id);

}  // namespace crossrank

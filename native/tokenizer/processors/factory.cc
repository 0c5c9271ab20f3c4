// MakePostProcessor: the tokenizer.json "post_processor" object to the templates it amounts to, as the crate reads it.
#include <cmath>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/processors/post_processor.h"
#include "tokenizer/processors/processors.h"

namespace crossrank {

namespace {

bool IsKnownName(const std::string& name) {
  return name == "RobertaProcessing" || name == "BertProcessing" || name == "ByteLevel" ||
         name == "TemplateProcessing" || name == "Sequence";
}

// Runs `step` on the encodings the crate's encode gives it (A with type id 0, B with 1) and concatenates the result,
// as PostProcessor::process merges what process_encodings returns.
std::vector<TemplatePiece> Resolve(const ProcessorStep& step, bool is_pair) {
  std::vector<SymbolicEncoding> encodings;
  encodings.push_back({TemplatePiece{TemplatePiece::Kind::kFirst, {}, 0}});
  if (is_pair) encodings.push_back({TemplatePiece{TemplatePiece::Kind::kSecond, {}, 1}});
  step.Process(encodings);
  std::vector<TemplatePiece> pieces;
  for (SymbolicEncoding& encoding : encodings) {
    for (TemplatePiece& piece : encoding) {
      if (piece.kind == TemplatePiece::Kind::kSpecial && piece.ids.empty()) continue;
      pieces.push_back(std::move(piece));
    }
  }
  return pieces;
}

}  // namespace

std::optional<uint32_t> ReadU32(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    uint64_t v = value.get<uint64_t>();
    if (v <= std::numeric_limits<uint32_t>::max()) return static_cast<uint32_t>(v);
  } else if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    if (v >= 0 && v <= std::numeric_limits<uint32_t>::max()) return static_cast<uint32_t>(v);
  } else if (value.is_number_float()) {
    double v = value.get<double>();
    if (v >= 0 && v <= std::numeric_limits<uint32_t>::max() && std::floor(v) == v) return static_cast<uint32_t>(v);
  }
  return std::nullopt;
}

int32_t NarrowId(uint32_t value, const char* what) {
  if (value > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
    throw Error(code::kUnsupportedTokenizer,
                std::string("post_processor: ") + what + " " + std::to_string(value) + " does not fit in int32");
  }
  return static_cast<int32_t>(value);
}

std::optional<int32_t> ReadTokenTuple(const nlohmann::json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end() || !it->is_array() || it->size() != 2 || !(*it)[0].is_string()) return std::nullopt;
  std::optional<uint32_t> id = ReadU32((*it)[1]);
  if (!id) return std::nullopt;
  return NarrowId(*id, key);
}

std::optional<bool> ReadBool(const nlohmann::json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

void SetTypeIds(SymbolicEncoding& encoding, int32_t type_id) {
  for (TemplatePiece& piece : encoding) piece.type_id = type_id;
}

TemplatePiece SpecialPiece(int32_t id, int32_t type_id) {
  return TemplatePiece{TemplatePiece::Kind::kSpecial, {id}, type_id};
}

std::unique_ptr<ProcessorStep> MakeProcessorStep(const nlohmann::json& spec) {
  if (!spec.is_object()) throw Error(code::kTokenizer, "post_processor must be an object or null");
  if (auto step = TryRobertaProcessing(spec)) return step;
  if (auto step = TryBertProcessing(spec)) return step;
  if (auto step = TryByteLevelProcessing(spec)) return step;
  if (auto step = TryTemplateProcessing(spec)) return step;
  if (auto step = TrySequenceProcessing(spec)) return step;
  auto type = spec.find("type");
  if (type != spec.end() && type->is_string() && !IsKnownName(type->get_ref<const std::string&>())) {
    throw Error(code::kUnsupportedTokenizer,
                "post-processor \"" + type->get_ref<const std::string&>() + "\" is not supported");
  }
  std::string name = type != spec.end() && type->is_string() ? type->get_ref<const std::string&>() : "(no type)";
  throw Error(code::kTokenizer, "post_processor \"" + name + "\" has missing or malformed fields");
}

std::optional<PostProcessor> MakePostProcessor(const nlohmann::json& spec) {
  if (spec.is_null()) return std::nullopt;
  std::unique_ptr<ProcessorStep> step = MakeProcessorStep(spec);
  PostProcessor processor;
  processor.single = Resolve(*step, false);
  processor.pair = Resolve(*step, true);
  processor.added_single = step->AddedTokens(false);
  processor.added_pair = step->AddedTokens(true);
  return processor;
}

PostProcessor NoPostProcessor() {
  PostProcessor processor;
  processor.single = {TemplatePiece{TemplatePiece::Kind::kFirst, {}, 0}};
  processor.pair = {TemplatePiece{TemplatePiece::Kind::kFirst, {}, 0}, TemplatePiece{TemplatePiece::Kind::kSecond, {}, 1}};
  return processor;
}

}  // namespace crossrank

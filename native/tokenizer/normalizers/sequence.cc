// Sequence: runs its normalizers in order over the same segment.
#include <vector>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/normalizers/normalizers.h"

namespace crossrank {
namespace {

class Sequence : public TextNormalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<TextNormalizer>> parts) : parts_(std::move(parts)) {}

  void Normalize(std::string& text) const override {
    for (const auto& part : parts_) part->Normalize(text);
  }

 private:
  std::vector<std::unique_ptr<TextNormalizer>> parts_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakeNormalizerSequence(const nlohmann::json& spec) {
  auto it = spec.find("normalizers");
  if (it == spec.end() || !it->is_array()) throw Error(code::kTokenizer, "normalizer: Sequence needs a \"normalizers\" array");
  std::vector<std::unique_ptr<TextNormalizer>> parts;
  for (const nlohmann::json& item : *it) {
    if (item.is_null()) throw Error(code::kTokenizer, "normalizer: a Sequence item is null");
    parts.push_back(MakeNormalizer(item));
  }
  return std::make_unique<Sequence>(std::move(parts));
}

}  // namespace crossrank

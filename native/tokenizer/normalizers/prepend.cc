// Prepend: puts a fixed string before a non-empty segment (an empty one stays empty, as in the crate).
#include <nlohmann/json.hpp>

#include "tokenizer/normalizers/normalizers.h"

namespace crossrank {
namespace {

class Prepend : public TextNormalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}

  void Normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

}  // namespace

std::unique_ptr<TextNormalizer> MakePrepend(const nlohmann::json& spec) {
  return std::make_unique<Prepend>(normalizer_options::RequiredString(spec, "prepend"));
}

}  // namespace crossrank

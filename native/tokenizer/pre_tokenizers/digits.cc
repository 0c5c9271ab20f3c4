// Digits: numeric characters (char::is_numeric, Unicode N*) each alone, or runs of them kept together.
#include <nlohmann/json.hpp>

#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual) : behavior_(individual ? SplitBehavior::kIsolated : SplitBehavior::kContiguous) {}
  void PreTokenize(std::vector<Split>& splits) const override {
    // One character a match, as the crate's char::is_numeric predicate. Rust's tables are Unicode 17, Oniguruma's 16:
    // the N* characters Unicode 17 added (found by checking every scalar value against the npm package) are listed.
    static const Regex numeric(R"([\p{N}\x{11DE0}-\x{11DE9}\x{16FF4}-\x{16FF6}])");
    SplitEach(splits, [this](const Split& piece, std::vector<Split>& out) {
      AppendSplits(piece, RegexMatches(numeric, piece.text), behavior_, false, out);
    });
  }

 private:
  SplitBehavior behavior_;
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeDigits(const nlohmann::json& spec) {
  return std::make_unique<Digits>(RequiredBool(spec, "individual_digits"));
}

}  // namespace crossrank

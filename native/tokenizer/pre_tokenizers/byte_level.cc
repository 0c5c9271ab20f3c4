// ByteLevel: an optional leading space, the GPT-2 split regex (Isolated), then every byte of a piece spelled as its
// character in GPT-2's bytes-to-unicode alphabet.
#include <array>

#include "tokenizer/byte_alphabet.h"
#include "tokenizer/pre_tokenizers/gpt2_pattern.h"

#include <nlohmann/json.hpp>

#include "tokenizer/pre_tokenizers/pre_tokenizers.h"
#include "tokenizer/pre_tokenizers/splitting.h"

namespace crossrank {
namespace {

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}

  void PreTokenize(std::vector<Split>& splits) const override {
    static const Regex gpt2{Gpt2Pattern::kPattern};
    static const std::array<std::string, 256> alphabet = ByteAlphabet();
    SplitEach(splits, [this](const Split& piece, std::vector<Split>& out) {
      Split prefixed = piece;
      if (add_prefix_space_ && prefixed.text[0] != ' ') prefixed.text.insert(0, 1, ' ');
      size_t first = out.size();
      if (use_regex_) {
        // The hand matcher is exact on well-formed UTF-8; anything else (only reachable from C++) keeps the engine.
        const std::string& text = prefixed.text;
        AppendSplits(prefixed,
                     utf8::IsValid(text) ? FoundMatches(Gpt2Pattern::Get().FindAll(text), text.size()) : RegexMatches(gpt2, text),
                     SplitBehavior::kIsolated, false, out);
      } else {
        out.push_back(std::move(prefixed));
      }
      for (size_t i = first; i < out.size(); ++i) {
        std::string mapped;
        mapped.reserve(out[i].text.size() * 2);
        for (unsigned char b : out[i].text) mapped += alphabet[b];
        out[i].text = std::move(mapped);
      }
    });
  }

 private:
  bool add_prefix_space_;
  bool use_regex_;
};

}  // namespace

std::unique_ptr<PreTokenizer> MakeByteLevel(const nlohmann::json& spec) {
  RequiredBool(spec, "trim_offsets");  // offsets only; read so a file the crate rejects is rejected here too
  return std::make_unique<ByteLevel>(RequiredBool(spec, "add_prefix_space"), DefaultBool(spec, "use_regex", true));
}

}  // namespace crossrank

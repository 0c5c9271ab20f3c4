// WordLevel model: a piece is one id, its own or the unk token's.
#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/models/models.h"
#include "tokenizer/vocab.h"

namespace crossrank {
namespace {

class WordLevel : public Model {
 public:
  WordLevel(const std::vector<std::pair<std::string, int32_t>>& vocab, const std::string& unk_token) {
    std::vector<std::pair<std::string_view, int32_t>> entries(vocab.begin(), vocab.end());
    vocab_.Build(entries);
    unk_id_ = vocab_.Find(unk_token);
  }

  void Tokenize(std::string_view piece, std::vector<int32_t>& ids) const override {
    if (piece.empty()) return;
    int32_t id = vocab_.Find(piece);
    if (id == Vocab::kMissing) id = unk_id_;
    if (id == Vocab::kMissing) throw Error(code::kTokenizer, "WordLevel error: Missing [UNK] token from the vocabulary");
    ids.push_back(id);
  }

  std::optional<int32_t> TokenToId(std::string_view token) const override {
    const int32_t id = vocab_.Find(token);
    if (id == Vocab::kMissing) return std::nullopt;
    return id;
  }

 private:
  Vocab vocab_;
  int32_t unk_id_;
};

}  // namespace

std::unique_ptr<Model> MakeWordLevel(const nlohmann::json& spec) {
  const auto vocab = TokenIdMap(spec, "vocab", "WordLevel");
  const std::string unk_token = RequiredString(spec, "unk_token", "WordLevel");  // required by the npm package's crate
  return std::make_unique<WordLevel>(vocab, unk_token);
}

}  // namespace crossrank

// Reads tokenizer.json with nlohmann/json; the factories of each folder refuse what crossrank does not implement.
#include "tokenizer/tokenizer_json.h"

#include <nlohmann/json.hpp>

#include "errors.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/processors/post_processor.h"

namespace crossrank {
namespace {

using nlohmann::json;

const json& Field(const json& object, const char* key) {
  static const json kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

bool IsType(const json& component, const char* type) {
  return component.is_object() && Field(component, "type") == type;
}

std::string StringOr(const json& object, const char* key, const char* fallback) {
  const json& v = Field(object, key);
  if (v.is_null()) return fallback;
  if (!v.is_string()) throw Error(code::kTokenizer, std::string("tokenizer.json: \"") + key + "\" must be a string");
  return v.get<std::string>();
}

bool BoolOr(const json& object, const char* key, bool fallback) {
  const json& v = Field(object, key);
  if (v.is_null()) return fallback;
  if (!v.is_boolean()) throw Error(code::kTokenizer, std::string("tokenizer.json: \"") + key + "\" must be a boolean");
  return v.get<bool>();
}

// The streaming fast path covers BertNormalizer (or none) + BertPreTokenizer + WordPiece with verbatim added tokens.
bool FitsFastPath(const json& root) {
  const json& normalizer = Field(root, "normalizer");
  if (!normalizer.is_null() && !IsType(normalizer, "BertNormalizer")) return false;
  if (!IsType(Field(root, "pre_tokenizer"), "BertPreTokenizer") || !IsType(Field(root, "model"), "WordPiece")) return false;
  const json& added = Field(root, "added_tokens");
  if (added.is_null()) return true;
  if (!added.is_array()) return false;
  for (const json& t : added) {
    if (!t.is_object() || !Field(t, "content").is_string() || !Field(t, "id").is_number_integer()) return false;
    if (Field(t, "normalized") != false) return false;  // absent means normalized for a non-special token
    for (const char* flag : {"lstrip", "rstrip", "single_word"}) {
      if (Field(t, flag) != false && !Field(t, flag).is_null()) return false;
    }
  }
  return true;
}

PostProcessor PostProcessorOf(const json& root) {
  std::optional<PostProcessor> post = MakePostProcessor(Field(root, "post_processor"));
  return post ? std::move(*post) : NoPostProcessor();
}

// The crate's get_vocab_size() of the model: its vocab's distinct entries (a JSON object dedupes keys as a HashMap).
size_t ModelVocabSize(const json& model) {
  const json& vocab = Field(model, "vocab");
  return vocab.is_object() || vocab.is_array() ? vocab.size() : 0;
}

TokenizerConfig FastPathConfig(const json& root) {
  TokenizerConfig c;
  const json& model = Field(root, "model");
  const json& vocab = Field(model, "vocab");
  if (!vocab.is_object()) throw Error(code::kTokenizer, "tokenizer.json: the WordPiece model has no vocab object");
  c.wordpiece.tokens.reserve(vocab.size());
  c.wordpiece.ids.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer()) throw Error(code::kTokenizer, "tokenizer.json: WordPiece vocab ids must be integers");
    c.wordpiece.tokens.push_back(it.key());
    c.wordpiece.ids.push_back(it.value().get<int32_t>());
  }
  c.wordpiece.unk_token = StringOr(model, "unk_token", "[UNK]");
  c.wordpiece.continuing_subword_prefix = StringOr(model, "continuing_subword_prefix", "##");
  const json& max_chars = Field(model, "max_input_chars_per_word");
  c.wordpiece.max_input_chars_per_word = max_chars.is_number_unsigned() ? max_chars.get<size_t>() : 100;

  const json& n = Field(root, "normalizer");
  if (!n.is_null()) {
    c.normalizer.clean_text = BoolOr(n, "clean_text", true);
    c.normalizer.handle_chinese_chars = BoolOr(n, "handle_chinese_chars", true);
    c.normalizer.lowercase = BoolOr(n, "lowercase", true);
    c.normalizer.strip_accents = BoolOr(n, "strip_accents", c.normalizer.lowercase);
  }
  const json& added = Field(root, "added_tokens");
  if (added.is_array()) {
    for (const json& t : added) c.added_tokens.push_back({t["content"].get<std::string>(), t["id"].get<int32_t>()});
  }
  PostProcessor post = PostProcessorOf(root);
  c.pair_template = std::move(post.pair);
  c.added_pair = post.AddedTokens(true);
  return c;
}

std::optional<int32_t> LookUp(const TokenizerConfig* fast, const Pipeline* pipeline, const std::string& token) {
  if (pipeline) return pipeline->TokenToId(token);
  for (const AddedTokenSpec& t : fast->added_tokens) {
    if (t.content == token) return t.id;
  }
  for (size_t i = 0; i < fast->wordpiece.tokens.size(); ++i) {
    if (fast->wordpiece.tokens[i] == token) return fast->wordpiece.ids[i];
  }
  return std::nullopt;
}

int32_t ResolvePadId(const json& root, const PadHint& hint, const TokenizerConfig* fast, const Pipeline* pipeline) {
  if (hint.token) {
    if (std::optional<int32_t> id = LookUp(fast, pipeline, *hint.token)) return *id;
  }
  if (hint.id) return *hint.id;
  const json& padding = Field(root, "padding");
  if (padding.is_object() && Field(padding, "pad_id").is_number_integer()) return padding["pad_id"].get<int32_t>();
  for (const char* token : {"[PAD]", "<pad>"}) {
    if (std::optional<int32_t> id = LookUp(fast, pipeline, token)) return *id;
  }
  return 0;
}

// Metaspace's prepend_scheme "first" asks whether a piece starts at original offset 0, which a normalizer that deletes
// leading characters changes; TextNormalizer keeps no alignments, so that combination is refused.
bool HasMetaspaceFirst(const json& pre_tokenizer) {
  if (!pre_tokenizer.is_object()) return false;
  if (IsType(pre_tokenizer, "Metaspace")) return Field(pre_tokenizer, "prepend_scheme") == "first";
  const json& parts = Field(pre_tokenizer, "pretokenizers");
  if (!parts.is_array()) return false;
  for (const json& part : parts) {
    if (HasMetaspaceFirst(part)) return true;
  }
  return false;
}

}  // namespace

std::shared_ptr<const Tokenizer> LoadTokenizerJson(std::string_view json_text, const PadHint& pad) {
  json root;
  try {
    root = json::parse(json_text.begin(), json_text.end());
  } catch (const json::exception& e) {
    throw Error(code::kTokenizer, std::string("tokenizer.json is not valid JSON: ") + e.what());
  }
  if (!root.is_object()) throw Error(code::kTokenizer, "tokenizer.json must hold a JSON object");
  if (!Field(root, "model").is_object()) throw Error(code::kTokenizer, "tokenizer.json has no model");
  try {
    if (FitsFastPath(root)) {
      TokenizerConfig config = FastPathConfig(root);
      config.pad_id = ResolvePadId(root, pad, &config, nullptr);
      return std::make_shared<const Tokenizer>(std::move(config));
    }
    if (!Field(root, "normalizer").is_null() && HasMetaspaceFirst(Field(root, "pre_tokenizer"))) {
      throw Error(code::kUnsupportedTokenizer,
                  "pre_tokenizer \"Metaspace\" with prepend_scheme \"first\" after a normalizer is not supported");
    }
    const json& model_spec = Field(root, "model");
    std::unique_ptr<TextNormalizer> normalizer = MakeNormalizer(Field(root, "normalizer"));
    std::unique_ptr<PreTokenizer> pre_tokenizer = MakePreTokenizer(Field(root, "pre_tokenizer"));
    std::unique_ptr<Model> model = MakeModel(model_spec);
    if (!model) throw Error(code::kTokenizer, "tokenizer.json has no model");
    AddedVocabulary added(Field(root, "added_tokens"), *model, ModelVocabSize(model_spec), normalizer.get());
    PostProcessor post = PostProcessorOf(root);
    if (post.AddedTokens(true) == 0) {
      // Measured against the crate: with no special tokens its pair cut differs where a text ends near max_length.
      throw Error(code::kUnsupportedTokenizer,
                  "a post_processor that adds no special tokens to a pair (e.g. GPT-2's ByteLevel alone) is not supported: "
                  "cross-encoders separate the two texts with special tokens");
    }
    auto pipeline = std::make_unique<const Pipeline>(std::move(added), std::move(normalizer), std::move(pre_tokenizer),
                                                     std::move(model));
    const int32_t pad_id = ResolvePadId(root, pad, nullptr, pipeline.get());
    return std::make_shared<const Tokenizer>(std::move(pipeline), std::move(post.pair), post.AddedTokens(true), pad_id);
  } catch (const json::exception& e) {
    // A field of the wrong JSON type deep inside a component.
    throw Error(code::kTokenizer, std::string("tokenizer.json: ") + e.what());
  }
}

}  // namespace crossrank

// libFuzzer target for the pair tokenizer: the WordPiece fast path on the real MiniLM vocab, and the general pipeline
// on one real tokenizer.json of each family (Unigram, byte-level BPE, ...).
// Input: byte 0 flags (bits 0-1 strategy, bit 2 cased, bit 3 no length cap, bits 4-7 family: 0 the WordPiece fast path,
// k the k-th file of CROSSRANK_FUZZ_TOKENIZERS), bytes 1-2 max_length, then a 0xFF b.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "errors.h"
#include <nlohmann/json.hpp>

#include "tokenizer/pre_tokenizers/gpt2_pattern.h"
#include "tokenizer/regex/regex.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/tokenizer_json.h"

namespace crossrank {
namespace {

// Where the MiniLM vocab lives; CROSSRANK_FUZZ_VOCAB overrides the path CMake compiled in.
std::string VocabPath() {
  const char* env = std::getenv("CROSSRANK_FUZZ_VOCAB");
  return env != nullptr && *env != '\0' ? env : CROSSRANK_FUZZ_VOCAB_DEFAULT;
}

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "tokenizer_fuzzer: invariant violated: %s\n", what);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

struct Vocabulary {
  std::vector<std::string> tokens;
  int32_t Id(const std::string& token) const {
    auto it = std::find(tokens.begin(), tokens.end(), token);
    return it == tokens.end() ? -1 : static_cast<int32_t>(it - tokens.begin());
  }
};

Vocabulary ReadVocab(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "tokenizer_fuzzer: cannot read %s (set CROSSRANK_FUZZ_VOCAB to a BERT vocab.txt)\n", file.c_str());
    std::exit(2);
  }
  Vocabulary v;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    v.tokens.push_back(line);
  }
  return v;
}

// The spec that src/tokenizer-config.ts (specFromVocabTxt) gives native/tokenizer_wrap.cc for a BERT vocab.txt.
TokenizerConfig ConfigFromVocab(const Vocabulary& v, bool lowercase) {
  TokenizerConfig c;
  c.wordpiece.tokens = v.tokens;
  for (size_t i = 0; i < v.tokens.size(); ++i) c.wordpiece.ids.push_back(static_cast<int32_t>(i));
  c.wordpiece.unk_token = "[UNK]";
  c.wordpiece.continuing_subword_prefix = "##";
  c.wordpiece.max_input_chars_per_word = 100;
  c.normalizer = {/*clean_text=*/true, /*handle_chinese_chars=*/true, /*strip_accents=*/lowercase, lowercase};
  for (const char* name : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    const int32_t id = v.Id(name);
    if (id >= 0) c.added_tokens.push_back({name, id});
  }
  const int32_t cls = v.Id("[CLS]"), sep = v.Id("[SEP]");
  if (cls < 0 || sep < 0) {
    std::fprintf(stderr, "tokenizer_fuzzer: the vocab has no [CLS] or [SEP]\n");
    std::exit(2);
  }
  using K = TemplatePiece::Kind;
  c.pair_template = {{K::kSpecial, {cls}, 0}, {K::kFirst, {}, 0}, {K::kSpecial, {sep}, 0}, {K::kSecond, {}, 1},
                     {K::kSpecial, {sep}, 1}};
  c.pad_id = std::max(v.Id("[PAD]"), 0);
  return c;
}

// One family's tokenizer.json, loaded through the same entry point as the addon, and an upper bound on its ids.
struct Family {
  std::string file;
  std::shared_ptr<const Tokenizer> tokenizer;
  size_t id_bound = 0;
};

std::vector<Family> LoadFamilies() {
  const char* env = std::getenv("CROSSRANK_FUZZ_TOKENIZERS");
  std::string list = env != nullptr && *env != '\0' ? env : CROSSRANK_FUZZ_TOKENIZERS_DEFAULT;
  std::vector<Family> out;
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    const std::string file = list.substr(start, end - start);
    start = end + 1;
    if (file.empty()) continue;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "tokenizer_fuzzer: cannot read %s (set CROSSRANK_FUZZ_TOKENIZERS to :-separated tokenizer.json files)\n", file.c_str());
      std::exit(2);
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const nlohmann::json root = nlohmann::json::parse(text);
    Family f{file, LoadTokenizerJson(text, PadHint{}), 0};
    f.id_bound = root["model"]["vocab"].size() + (root.contains("added_tokens") ? root["added_tokens"].size() : 0);
    out.push_back(std::move(f));
  }
  return out;
}

struct Fixture {
  std::vector<Family> families = LoadFamilies();
  Vocabulary vocab = ReadVocab(VocabPath());
  Tokenizer uncased{ConfigFromVocab(vocab, true)};
  Tokenizer cased{ConfigFromVocab(vocab, false)};
  int32_t cls = vocab.Id("[CLS]");
  int32_t sep = vocab.Id("[SEP]");
};

const Fixture& GetFixture() {
  static const Fixture* fixture = new Fixture();  // built once; never destroyed so exit order does not matter
  return *fixture;
}

bool IsPrefix(const int32_t* part, size_t n, const std::vector<int32_t>& whole) {
  return n <= whole.size() && std::equal(part, part + n, whole.begin());
}

size_t Count(const std::vector<int32_t>& ids, int32_t id) { return static_cast<size_t>(std::count(ids.begin(), ids.end(), id)); }

// The invariants every family keeps: capped tokenization is a prefix that stops only at the cap, the two EncodePair
// entry points agree, only ERR_TRUNCATION is thrown, the length bound holds and nothing is cut when all fits.
void FuzzFamily(const Family& family, TruncationStrategy strategy, size_t max_length, std::string_view a,
                std::string_view b) {
  const Tokenizer& tok = *family.tokenizer;
  TextTokens ta, tb, full_a, full_b;
  tok.Tokenize(a, max_length, ta);
  tok.Tokenize(b, max_length, tb);
  tok.Tokenize(a, static_cast<size_t>(-1), full_a);
  tok.Tokenize(b, static_cast<size_t>(-1), full_b);
  Check(full_a.complete && full_b.complete, "an uncapped text is tokenized completely");
  for (const auto* t : {&ta, &tb}) {
    const TextTokens& full = t == &ta ? full_a : full_b;
    Check(IsPrefix(t->ids.data(), t->ids.size(), full.ids), "capped tokens are a prefix of the full tokens");
    Check(t->complete ? t->ids == full.ids : t->ids.size() >= max_length, "a capped text stops only at the cap");
    for (int32_t id : full.ids) Check(id >= 0 && static_cast<size_t>(id) < family.id_bound, "id in vocab range");
  }
  const size_t specials = tok.special_token_count();
  Encoding from_tokens, from_text;
  bool threw = false;
  try {
    tok.EncodePair(ta, tb, max_length, strategy, from_tokens);
  } catch (const Error& e) {
    const bool out_of_range = max_length < specials;
    Check(std::strcmp(e.code().c_str(), out_of_range ? code::kOutOfRange : code::kTruncation) == 0,
          "only ERR_TRUNCATION, or ERR_OUT_OF_RANGE below the specials, is thrown");
    Check(out_of_range || strategy != TruncationStrategy::kLongestFirst, "longest_first never fails");
    threw = true;
  }
  try {
    tok.EncodePair(a, b, max_length, strategy, from_text);
    Check(!threw, "EncodePair(text) fails exactly when EncodePair(TextTokens) fails");
  } catch (const Error&) {
    Check(threw, "EncodePair(text) fails exactly when EncodePair(TextTokens) fails");
    return;
  }
  Check(from_text.ids == from_tokens.ids && from_text.type_ids == from_tokens.type_ids,
        "EncodePair(text) equals Tokenize + EncodePair(TextTokens)");
  Check(from_text.ids.size() == from_text.type_ids.size(), "as many type ids as ids");
  if (max_length >= ta.ids.size() + tb.ids.size() + specials) {
    Check(ta.complete && tb.complete, "a pair that fits is tokenized completely");
  }
}

// ByteLevel's hand matcher of GPT-2's pattern finds exactly what Oniguruma finds, on every well-formed input.
void CheckGpt2Pattern(std::string_view text) {
  if (!utf8::IsValid(text)) return;
  static const Regex* regex = new Regex(Gpt2Pattern::kPattern);
  Check(Gpt2Pattern::Get().FindAll(text) == regex->FindAll(text), "the GPT-2 matcher equals Oniguruma");
}

void FuzzOne(const uint8_t* data, size_t size) {
  // The texts after the 3 header bytes, cut at each 0xFF (never part of UTF-8).
  std::string_view texts(reinterpret_cast<const char*>(data), size);
  texts.remove_prefix(std::min<size_t>(3, size));
  for (size_t cut; (cut = texts.find('\xFF')) != std::string_view::npos; texts.remove_prefix(cut + 1)) {
    CheckGpt2Pattern(texts.substr(0, cut));
  }
  CheckGpt2Pattern(texts);
  if (size < 3) return;
  const Fixture& f = GetFixture();
  const uint8_t flags = data[0];
  if ((flags >> 4) != 0 && !f.families.empty()) {
    const Family& family = f.families[((flags >> 4) - 1) % f.families.size()];
    const size_t cap = (flags & 8) ? 1000000000 : 1 + ((data[1] | (data[2] << 8)) % 1024);
    const std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
    const size_t cut = rest.find('\xFF');
    FuzzFamily(family, static_cast<TruncationStrategy>(std::min(flags & 3, 2)), cap, rest.substr(0, cut),
               cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1));
    return;
  }
  const TruncationStrategy strategy = static_cast<TruncationStrategy>(std::min(flags & 3, 2));
  const Tokenizer& tok = (flags & 4) ? f.cased : f.uncased;
  const size_t max_length = (flags & 8) ? 1000000000 : 1 + ((data[1] | (data[2] << 8)) % 1024);
  const std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
  const size_t split = rest.find('\xFF');
  const std::string_view a = rest.substr(0, split);
  const std::string_view b = split == std::string_view::npos ? std::string_view() : rest.substr(split + 1);
  const size_t specials = tok.special_token_count();
  Check(specials == 3, "the BERT pair template has three special tokens");

  // Each text alone: capped tokenization is a prefix of the whole one and stops only after reaching the cap.
  TextTokens ta, tb, full_a, full_b;
  tok.Tokenize(a, max_length, ta);
  tok.Tokenize(b, max_length, tb);
  tok.Tokenize(a, static_cast<size_t>(-1), full_a);
  tok.Tokenize(b, static_cast<size_t>(-1), full_b);
  Check(full_a.complete && full_b.complete, "an uncapped text is tokenized completely");
  for (const auto* t : {&ta, &tb}) {
    const TextTokens& full = t == &ta ? full_a : full_b;
    Check(IsPrefix(t->ids.data(), t->ids.size(), full.ids), "capped tokens are a prefix of the full tokens");
    Check(t->complete ? t->ids == full.ids : t->ids.size() >= max_length, "a capped text stops only at the cap");
    for (int32_t id : t->ids) Check(id >= 0 && static_cast<size_t>(id) < f.vocab.tokens.size(), "id in vocab range");
  }

  Encoding from_tokens, from_text;
  bool threw = false;
  try {
    tok.EncodePair(ta, tb, max_length, strategy, from_tokens);
  } catch (const Error& e) {
    if (max_length < specials) {
      Check(std::strcmp(e.code().c_str(), code::kOutOfRange) == 0, "a max_length below the specials is out of range");
    } else {
      Check(std::strcmp(e.code().c_str(), code::kTruncation) == 0, "only ERR_TRUNCATION is thrown");
      Check(strategy != TruncationStrategy::kLongestFirst, "longest_first never fails");
      Check(max_length > specials && ta.ids.size() + tb.ids.size() > max_length - specials, "fails only when cut");
    }
    threw = true;
  }
  try {
    tok.EncodePair(a, b, max_length, strategy, from_text);
    Check(!threw, "EncodePair(text) fails exactly when EncodePair(TextTokens) fails");
  } catch (const Error&) {
    Check(threw, "EncodePair(text) fails exactly when EncodePair(TextTokens) fails");
    return;
  }
  Check(from_text.ids == from_tokens.ids && from_text.type_ids == from_tokens.type_ids,
        "EncodePair(text) equals Tokenize + EncodePair(TextTokens)");

  const std::vector<int32_t>& ids = from_text.ids;
  const std::vector<int32_t>& types = from_text.type_ids;
  Check(ids.size() == types.size(), "as many type ids as ids");
  Check(ids.size() <= std::max(max_length, specials), "length <= max_length (the specials always fit)");
  for (int32_t id : ids) Check(id >= 0 && static_cast<size_t>(id) < f.vocab.tokens.size(), "id in vocab range");
  for (int32_t t : types) Check(t == 0 || t == 1, "type ids are 0 or 1");
  Check(std::is_sorted(types.begin(), types.end()), "type ids are 0s then 1s");
  const size_t n0 = static_cast<size_t>(std::count(types.begin(), types.end(), 0));
  Check(n0 >= 2 && ids.size() - n0 >= 1, "both template segments are present");
  Check(ids.front() == f.cls && ids[n0 - 1] == f.sep && ids.back() == f.sep, "[CLS] a [SEP] b [SEP]");
  Check(IsPrefix(ids.data() + 1, n0 - 2, full_a.ids), "a is cut from the right");
  Check(IsPrefix(ids.data() + n0, ids.size() - n0 - 1, full_b.ids), "b is cut from the right");
  if (max_length <= specials) Check(ids.size() == specials, "no room for text: the specials alone");
  if (max_length > specials && strategy == TruncationStrategy::kOnlyFirst) {
    Check(ids.size() - n0 - 1 == tb.ids.size(), "only_first keeps b");
  }
  if (max_length > specials && strategy == TruncationStrategy::kOnlySecond) Check(n0 - 2 == ta.ids.size(), "only_second keeps a");
  if (max_length >= ta.ids.size() + tb.ids.size() + specials) {
    Check(ta.complete && tb.complete && ids.size() == ta.ids.size() + tb.ids.size() + specials, "nothing cut when all fits");
  }
  // The texts may spell "[CLS]"/"[SEP]" themselves (added tokens match raw text); otherwise only the template's are there.
  const auto spells = [&](const char* token) {
    return a.find(token) != std::string_view::npos || b.find(token) != std::string_view::npos;
  };
  if (!spells("[CLS]")) Check(Count(ids, f.cls) == 1, "exactly one [CLS]");
  if (!spells("[SEP]")) Check(Count(ids, f.sep) == 2, "exactly the template's two [SEP]");
}

}  // namespace
}  // namespace crossrank

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  crossrank::FuzzOne(data, size);
  return 0;
}

# Sources of native/tokenizer/pre_tokenizers/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_PRE_TOKENIZERS_SOURCES
  native/tokenizer/pre_tokenizers/factory.cc
  native/tokenizer/pre_tokenizers/splitting.cc
  native/tokenizer/pre_tokenizers/bert.cc
  native/tokenizer/pre_tokenizers/whitespace.cc
  native/tokenizer/pre_tokenizers/metaspace.cc
  native/tokenizer/pre_tokenizers/byte_level.cc
  native/tokenizer/pre_tokenizers/gpt2_pattern.cc
  native/tokenizer/pre_tokenizers/split.cc
  native/tokenizer/pre_tokenizers/punctuation.cc
  native/tokenizer/pre_tokenizers/digits.cc
  native/tokenizer/pre_tokenizers/delimiter.cc
  native/tokenizer/pre_tokenizers/sequence.cc
)

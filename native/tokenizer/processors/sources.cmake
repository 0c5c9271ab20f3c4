# Sources of native/tokenizer/processors/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_PROCESSORS_SOURCES
  native/tokenizer/processors/factory.cc
  native/tokenizer/processors/bert.cc
  native/tokenizer/processors/roberta.cc
  native/tokenizer/processors/byte_level.cc
  native/tokenizer/processors/template.cc
  native/tokenizer/processors/sequence.cc
)

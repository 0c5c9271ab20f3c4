# Sources of native/tokenizer/regex/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_REGEX_SOURCES
  native/tokenizer/regex/regex.cc
)

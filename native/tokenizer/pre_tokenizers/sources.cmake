# Sources of native/tokenizer/pre_tokenizers/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_PRE_TOKENIZERS_SOURCES
)

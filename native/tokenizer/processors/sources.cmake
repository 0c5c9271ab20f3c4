# Sources of native/tokenizer/processors/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_PROCESSORS_SOURCES
)

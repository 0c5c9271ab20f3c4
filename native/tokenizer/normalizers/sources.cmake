# Sources of native/tokenizer/normalizers/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_NORMALIZERS_SOURCES
)

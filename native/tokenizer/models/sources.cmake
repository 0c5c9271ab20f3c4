# Sources of native/tokenizer/models/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_MODELS_SOURCES
)

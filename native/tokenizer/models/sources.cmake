# Sources of native/tokenizer/models/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_MODELS_SOURCES
  native/tokenizer/models/factory.cc
  native/tokenizer/models/piece_trie.cc
  native/tokenizer/models/unigram.cc
  native/tokenizer/models/bpe.cc
  native/tokenizer/models/wordpiece.cc
  native/tokenizer/models/word_level.cc
)

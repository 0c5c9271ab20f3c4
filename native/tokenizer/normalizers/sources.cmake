# Sources of native/tokenizer/normalizers/, relative to the repository root (included by CMakeLists.txt and fuzz/CMakeLists.txt).
set(CROSSRANK_TOKENIZER_NORMALIZERS_SOURCES
  native/tokenizer/normalizers/factory.cc
  native/tokenizer/normalizers/bert.cc
  native/tokenizer/normalizers/precompiled.cc
  native/tokenizer/normalizers/grapheme_segmenter.cc
  native/tokenizer/normalizers/grapheme_tables.cc
  native/tokenizer/normalizers/unicode_forms.cc
  native/tokenizer/normalizers/normalization_tables.cc
  native/tokenizer/normalizers/lowercase.cc
  native/tokenizer/normalizers/strip.cc
  native/tokenizer/normalizers/strip_accents.cc
  native/tokenizer/normalizers/replace.cc
  native/tokenizer/normalizers/prepend.cc
  native/tokenizer/normalizers/nmt.cc
  native/tokenizer/normalizers/byte_level.cc
  native/tokenizer/normalizers/sequence.cc
)

// The boundary rules of UAX #29 in unicode-segmentation's order, run forward with the context GB9c, GB11 and GB12/13
// look back for kept as state.
#include "tokenizer/normalizers/grapheme_segmenter.h"

#include "tokenizer/utf8.h"

namespace crossrank {
namespace grapheme {
namespace {

// What the rules that look back need to know about the text before the cursor.
struct Context {
  int incb = 0;             // 0: no conjunct, 1: InCB=Consonant [Extend]*, 2: ... with at least one Linker
  bool pictographic = false;  // Extended_Pictographic Extend* ends here
  bool emoji_zwj = false;    // Extended_Pictographic Extend* ZWJ ends here
  size_t regional = 0;       // Regional_Indicator characters ending here
};

void Advance(Context& ctx, uint8_t props) {
  uint8_t cat = props & kCategoryMask;
  if (cat == kInCBConsonant) {
    ctx.incb = 1;
  } else if (props & kInCBLinker) {
    if (ctx.incb != 0) ctx.incb = 2;
  } else if (!(props & kInCBExtend)) {
    ctx.incb = 0;
  }
  ctx.emoji_zwj = cat == kZWJ && ctx.pictographic;
  if (cat == kExtendedPictographic) {
    ctx.pictographic = true;
  } else if (cat != kExtend) {
    ctx.pictographic = false;
  }
  ctx.regional = cat == kRegionalIndicator ? ctx.regional + 1 : 0;
}

bool IsBreak(uint8_t before, uint8_t after, const Context& ctx) {
  if (before == kCR && after == kLF) return false;                                  // GB3
  if (before == kControl || before == kCR || before == kLF) return true;            // GB4
  if (after == kControl || after == kCR || after == kLF) return true;               // GB5
  if (before == kL && (after == kL || after == kV || after == kLV || after == kLVT)) return false;  // GB6
  if ((before == kLV || before == kV) && (after == kV || after == kT)) return false;  // GB7
  if ((before == kLVT || before == kT) && after == kT) return false;                 // GB8
  if (after == kExtend || after == kZWJ) return false;                              // GB9
  if (after == kSpacingMark) return false;                                          // GB9a
  if (before == kPrepend) return false;                                             // GB9b
  if (after == kInCBConsonant) return ctx.incb != 2;                                // GB9c
  if (before == kZWJ && after == kExtendedPictographic) return !ctx.emoji_zwj;      // GB11
  if (before == kRegionalIndicator && after == kRegionalIndicator) return ctx.regional % 2 == 0;  // GB12, GB13
  return true;                                                                      // GB999
}

}  // namespace

size_t Segmenter::Next(size_t start) {
  const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
  size_t n = text_.size();
  if (start >= n) return n;
  // Two ASCII characters always have a boundary between them except CR LF (GB3); no rule looks further.
  if (s[start] < 0x80 && (start + 1 == n || (s[start + 1] < 0x80 && !(s[start] == '\r' && s[start + 1] == '\n')))) {
    return start + 1;
  }
  size_t i = start;
  uint8_t props = Properties(utf8::Next(s, n, i));
  Context ctx;
  Advance(ctx, props);
  // Rules looking back never need text before `start` here: the caller starts at 0 or at a boundary, and every state
  // that could join across a boundary was reset by the break (GB9c/GB11 chains only join forwards, RI pairs restart).
  while (i < n) {
    size_t next = i;
    uint8_t after = Properties(utf8::Next(s, n, next));
    if (IsBreak(props & kCategoryMask, after & kCategoryMask, ctx)) return i;
    Advance(ctx, after);
    props = after;
    i = next;
  }
  return n;
}

}  // namespace grapheme
}  // namespace crossrank

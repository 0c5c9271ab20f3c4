// Writes the fuzzer's seed corpus (fuzz/corpus/): one file per case in the input format of tokenizer_fuzzer.cc.
// Run with `npx tsx fuzz/make-corpus.ts` after changing the cases; the files are committed.
import * as fs from 'node:fs';
import * as path from 'node:path';

type Strategy = 'longest_first' | 'only_first' | 'only_second';
interface Case {
  name: string;
  a: string | Buffer;
  b: string | Buffer;
  maxLength?: number; // 1..1024, or Infinity for no cap
  strategy?: Strategy;
  cased?: boolean;
}

const STRATEGY: Record<Strategy, number> = { longest_first: 0, only_first: 1, only_second: 2 };
const bytes = (...b: number[]) => Buffer.from(b);

const CASES: Case[] = [
  { name: 'ascii-query-passage', a: 'how many people live in berlin?', b: 'Berlin has a population of 3,520,031 registered inhabitants.' },
  { name: 'ascii-only-first', a: 'a long first text that has to be cut down to size', b: 'short', maxLength: 8, strategy: 'only_first' },
  { name: 'ascii-only-second', a: 'short', b: 'a long second text that has to be cut down to size', maxLength: 8, strategy: 'only_second' },
  { name: 'only-first-error', a: 'x', b: 'the second text alone is longer than the limit', maxLength: 6, strategy: 'only_first' },
  { name: 'only-second-error', a: 'the first text alone is longer than the limit', b: 'y', maxLength: 6, strategy: 'only_second' },
  { name: 'max-length-1', a: 'hello', b: 'world', maxLength: 1 },
  { name: 'max-length-3', a: 'hello', b: 'world', maxLength: 3, strategy: 'only_second' },
  { name: 'max-length-4-odd', a: 'one two three', b: 'four five six seven', maxLength: 4 },
  { name: 'empty-both', a: '', b: '' },
  { name: 'empty-second', a: 'only the first text', b: '' },
  { name: 'no-cap', a: 'unbounded '.repeat(40), b: 'tokens '.repeat(40), maxLength: Infinity },
  { name: 'accents', a: 'Café naïve résumé Ångström Øresund', b: 'Crème brûlée à la française' },
  { name: 'accents-cased', a: 'Café naïve résumé Ångström', b: 'Crème brûlée', cased: true },
  { name: 'combining-order', a: 'e\u0301\u0327\u0308 a\u0316\u0301\u0300 o\u0328\u0304', b: 'q\u0323\u0307 \u0301alone', cased: true },
  { name: 'combining-run-lowercase', a: 'A\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a', b: 'I\u0307stanbul' },
  { name: 'hangul', a: '한국어 텍스트 처리', b: '서울특별시', cased: true },
  { name: 'hangul-strip', a: '한국어 텍스트 처리', b: '서울특별시' },
  { name: 'cjk', a: '中文分词测试，北京欢迎你。', b: '日本語のテキストとカタカナ' },
  { name: 'cjk-ext', a: '\u{20000}\u{2A700}\u{2F800} \u3400\uF900', b: '㐀 龥' },
  { name: 'emoji-zwj', a: '👩‍👩‍👧‍👦 family 🏳️‍🌈 flag', b: '👍🏽 thumbs 🧑🏿‍💻 coder' },
  { name: 'emoji-flags', a: '🇩🇪🇫🇷🇯🇵', b: '#️⃣ 1️⃣ ©️' },
  { name: 'controls', a: 'nul\u0000inside\u0001\u0002\u001f text', b: 'tab\tcr\rlf\nvt\u000bff\u000cdel\u007fnel\u0085' },
  { name: 'format-chars', a: 'zero\u200bwidth\u200cjoin\u200dmark\u200e\u200f', b: 'soft\u00adhyphen\ufeffbom\u2060' },
  { name: 'whitespace', a: 'nbsp\u00a0em\u2003ideographic\u3000line\u2028para\u2029', b: '\u1680ogham \u202fnarrow' },
  { name: 'invalid-overlong', a: bytes(0x61, 0xc0, 0x80, 0x62, 0xe0, 0x80, 0xaf), b: bytes(0xf0, 0x80, 0x80, 0xaf) },
  { name: 'invalid-surrogate', a: bytes(0xed, 0xa0, 0x80, 0x20, 0xed, 0xbf, 0xbf), b: bytes(0x78, 0xed, 0xb0, 0x80, 0x79) },
  { name: 'invalid-truncated', a: bytes(0x61, 0xe2, 0x82, 0x20, 0xf0, 0x9f, 0x98), b: bytes(0xc3) },
  { name: 'invalid-continuation', a: bytes(0x80, 0x80, 0xbf, 0x41), b: bytes(0xf4, 0x90, 0x80, 0x80, 0xf5, 0xfe) },
  { name: 'long-word-100', a: 'a'.repeat(100), b: 'b'.repeat(101) },
  { name: 'long-word-unk', a: 'x'.repeat(300) + ' tail', b: 'supercalifragilisticexpialidocious'.repeat(4) },
  { name: 'long-word-multibyte', a: 'é'.repeat(101), b: '中'.repeat(120), cased: true },
  { name: 'wordpiece-split', a: 'unaffable tokenization preprocessing', b: 'antidisestablishmentarianism' },
  { name: 'added-tokens', a: '[CLS] x [SEP] y [MASK]', b: '[UNK][PAD][SEP][SEP]' },
  { name: 'added-tokens-near', a: '[SE [SEP [sep] [CLS', b: '[[SEP]] [MASK[MASK]]', cased: true },
  { name: 'punctuation', a: 'Hello, world!!! ¿Qué? «quote» — dash… (paren) [bracket]', b: '@#$%^&*_+=~`|\\/<>{}' },
  { name: 'greek-cyrillic', a: 'ΣΊΣΥΦΟΣ Οδυσσεύς', b: 'Москва ЁЛКА Їжак' },
  { name: 'special-lowercase', a: 'İSTANBUL ǅungla ẞ', b: 'ΐ ǰ ﬁ ﬂ Ⅻ' },
  { name: 'fullwidth', a: 'ＡＢＣ１２３！', b: 'ｶﾀｶﾅ' },
  { name: 'rtl-indic-thai', a: 'مرحبا بالعالم שלום', b: 'नमस्ते दुनिया ภาษาไทย' },
  { name: 'astral', a: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈 \u{E0001}\u{E0041}', b: '\u{F0000}\u{10FFFF} \u{1F600}' },
  { name: 'numbers', a: '3.14159 1,000,000 2024-01-01', b: '٣٤٥ ½ ² ⅓' },
  { name: 'sentencepiece-specials', a: '<s> x </s></s> y <mask> <unk><pad>', b: '▁already▁marked  double  spaces', cased: true },
  { name: 'byte-level-specials', a: '<|endoftext|>hello<|padding|> [MASK] Ġx', b: "I'm you'll they've 123456 \t\n\n  x", cased: true },
];

// Family k >= 1 of the fuzzer is the k-th tokenizer.json of fuzz/CMakeLists.txt's CROSSRANK_FUZZ_TOKENIZERS.
const FAMILIES = ['wordpiece', 'deberta-v3', 't5-small', 'modernbert', 'roberta-base', 'deberta-v2', 'xlm-roberta'];

function encode(c: Case, family: number): Buffer {
  const capped = Number.isFinite(c.maxLength ?? 512);
  const flags = STRATEGY[c.strategy ?? 'longest_first'] | (c.cased ? 4 : 0) | (capped ? 0 : 8) | (family << 4);
  const length = capped ? (c.maxLength ?? 512) - 1 : 0;
  const text = (t: string | Buffer) => (typeof t === 'string' ? Buffer.from(t, 'utf8') : t);
  return Buffer.concat([bytes(flags, length & 0xff, length >> 8), text(c.a), bytes(0xff), text(c.b)]);
}

const dir = path.join(__dirname, 'corpus');
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
FAMILIES.forEach((family, k) => {
  fs.mkdirSync(path.join(dir, family));
  for (const c of CASES) fs.writeFileSync(path.join(dir, family, c.name), encode(c, k));
});
console.log(`wrote ${CASES.length} seeds for each of ${FAMILIES.length} families to ${dir}`);

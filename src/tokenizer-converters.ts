// The tokenizer.json that transformers' converters make of a slow tokenizer's files (vocab.txt; vocab.json + merges.txt).
import { CrossrankError } from './errors';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function invalid(file: string, what: string): CrossrankError {
  return new CrossrankError('ERR_TOKENIZER', `${file}: ${what}`);
}

/** A special token's text from tokenizer_config.json (a string, or an AddedToken object with "content"). */
export function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/** A bare vocab.txt as the tokenizer.json transformers' BertConverter makes of a BertTokenizer. */
export function fromVocabTxt(file: string, text: string, tokenizerConfig: Json): string {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab: Record<string, number> = Object.create(null);
  lines.forEach((line, i) => {
    vocab[line.replace(/\r$/, '')] = i;
  });
  const name = (key: string, fallback: string) => tokenName(tokenizerConfig[key]) ?? fallback;
  const [unk, cls, sep, pad, mask] = [
    name('unk_token', '[UNK]'),
    name('cls_token', '[CLS]'),
    name('sep_token', '[SEP]'),
    name('pad_token', '[PAD]'),
    name('mask_token', '[MASK]'),
  ];
  const idOf = (token: string) => {
    const id = vocab[token];
    if (id === undefined) throw invalid(file, `special token ${token} is not in the vocabulary`);
    return id;
  };
  const lowercase = tokenizerConfig.do_lower_case !== false;
  const special = (content: string) => ({
    id: idOf(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return JSON.stringify({
    added_tokens: [pad, unk, cls, sep, mask].filter((t) => vocab[t] !== undefined).map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: tokenizerConfig.tokenize_chinese_chars !== false,
      strip_accents: typeof tokenizerConfig.strip_accents === 'boolean' ? tokenizerConfig.strip_accents : null,
      lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: [sep, idOf(sep)], cls: [cls, idOf(cls)] },
    model: { type: 'WordPiece', unk_token: unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  });
}

// Byte-level BPE tokenizers whose slow files transformers' RobertaConverter turns into RobertaProcessing pairs.
const ROBERTA_CLASSES = /^(Roberta|Bart|Longformer)Tokenizer(Fast)?$/;
const ROBERTA_MODEL_TYPES = new Set(['roberta', 'bart', 'longformer']);

/** Whether vocab.json + merges.txt of this folder are a RoBERTa-style tokenizer; the class name when they are not. */
export function robertaFamily(tokenizerConfig: Json, config: Json): true | string {
  const cls = tokenizerConfig.tokenizer_class;
  if (typeof cls === 'string') return ROBERTA_CLASSES.test(cls) ? true : cls;
  const type = config.model_type;
  return typeof type === 'string' && ROBERTA_MODEL_TYPES.has(type) ? true : `model_type ${String(type ?? 'unknown')}`;
}

/** vocab.json + merges.txt as the tokenizer.json transformers' RobertaConverter makes of a RobertaTokenizer. */
export function fromVocabJsonMerges(file: string, vocabText: string, mergesText: string, tokenizerConfig: Json): string {
  let vocab: unknown;
  try {
    vocab = JSON.parse(vocabText);
  } catch (error) {
    throw invalid(file, `vocab.json is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(vocab) || !Object.values(vocab).every((id) => Number.isInteger(id))) throw invalid(file, 'vocab.json must map tokens to integer ids');
  const ids = vocab as Record<string, number>;
  // merges.txt: an optional "#version" line, then one "left right" pair a line.
  const merges = mergesText.split('\n').map((line) => line.replace(/\r$/, '')).filter((line, i) => line !== '' && !(i === 0 && line.startsWith('#version')));
  const name = (key: string, fallback: string) => tokenName(tokenizerConfig[key]) ?? fallback;
  const [bos, eos, unk, pad, mask] = [name('bos_token', '<s>'), name('eos_token', '</s>'), name('unk_token', '<unk>'), name('pad_token', '<pad>'), name('mask_token', '<mask>')];
  const [cls, sep] = [name('cls_token', bos), name('sep_token', eos)];
  const idOf = (token: string) => {
    const id = ids[token];
    if (id === undefined) throw invalid(file, `special token ${token} is not in vocab.json`);
    return id;
  };
  const addPrefixSpace = tokenizerConfig.add_prefix_space === true;
  const specials = [...new Set([bos, pad, eos, unk, cls, sep, mask])].filter((t) => ids[t] !== undefined);
  return JSON.stringify({
    added_tokens: specials
      .map((content) => ({ id: idOf(content), content, single_word: false, lstrip: content === mask, rstrip: false, normalized: true, special: true }))
      .sort((a, b) => a.id - b.id),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: [sep, idOf(sep)], cls: [cls, idOf(cls)], trim_offsets: true, add_prefix_space: addPrefixSpace },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, vocab: ids, merges },
  });
}

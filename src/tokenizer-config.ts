// Reads a WordPiece tokenizer (tokenizer.json, or vocab.txt + tokenizer_config.json) into the spec the native Tokenizer takes.
// Truncation and padding saved inside a tokenizer.json are ignored on purpose: crossrank controls both per call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenizerSpec } from '../binding/native';
import { CrossrankError } from './errors';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function unsupported(file: string, what: string): CrossrankError {
  return new CrossrankError(
    'ERR_UNSUPPORTED_TOKENIZER',
    `${file}: ${what} is not supported; crossrank tokenizes BERT-style WordPiece models (BertNormalizer, BertPreTokenizer, ` +
      'WordPiece, TemplateProcessing or BertProcessing)',
  );
}

function invalid(file: string, what: string): CrossrankError {
  return new CrossrankError('ERR_TOKENIZER', `${file}: ${what}`);
}

async function readJson(file: string): Promise<Json> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ERR_MODEL_NOT_FOUND' : 'ERR_TOKENIZER';
    throw new CrossrankError(code, `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(parsed)) throw invalid(file, 'must hold a JSON object');
  return parsed;
}

function vocabArrays(entries: [string, number][]): Pick<TokenizerSpec, 'vocab' | 'vocabIds'> {
  return { vocab: entries.map((e) => e[0]), vocabIds: Int32Array.from(entries, (e) => e[1]) };
}

function normalizerSpec(file: string, n: unknown): TokenizerSpec['normalizer'] {
  if (n === null || n === undefined) return null;
  if (!isObject(n) || n.type !== 'BertNormalizer') throw unsupported(file, `normalizer ${JSON.stringify(isObject(n) ? n.type : n)}`);
  const lowercase = n.lowercase !== false;
  return {
    cleanText: n.clean_text !== false,
    handleChineseChars: n.handle_chinese_chars !== false,
    stripAccents: typeof n.strip_accents === 'boolean' ? n.strip_accents : lowercase,
    lowercase,
  };
}

function templateSpec(file: string, post: unknown): TokenizerSpec['pairTemplate'] {
  if (post === null || post === undefined) return [{ kind: 'A', typeId: 0 }, { kind: 'B', typeId: 1 }];
  if (!isObject(post)) throw invalid(file, 'post_processor must be an object or null');
  if (post.type === 'BertProcessing') {
    const [cls, sep] = [post.cls, post.sep] as [unknown, unknown];
    if (!Array.isArray(cls) || !Array.isArray(sep) || typeof cls[1] !== 'number' || typeof sep[1] !== 'number') {
      throw invalid(file, 'BertProcessing needs cls and sep as [token, id]');
    }
    return [
      { kind: 'special', ids: [cls[1]], typeId: 0 },
      { kind: 'A', typeId: 0 },
      { kind: 'special', ids: [sep[1]], typeId: 0 },
      { kind: 'B', typeId: 1 },
      { kind: 'special', ids: [sep[1]], typeId: 1 },
    ];
  }
  if (post.type !== 'TemplateProcessing') throw unsupported(file, `post_processor ${JSON.stringify(post.type)}`);
  const specials = isObject(post.special_tokens) ? post.special_tokens : {};
  if (!Array.isArray(post.pair)) throw invalid(file, 'TemplateProcessing needs a pair template');
  return post.pair.map((item: unknown): TokenizerSpec['pairTemplate'][number] => {
    if (isObject(item) && isObject(item.Sequence)) {
      const { id, type_id: typeId } = item.Sequence;
      if ((id !== 'A' && id !== 'B') || typeof typeId !== 'number') throw invalid(file, 'bad Sequence in the pair template');
      return { kind: id, typeId };
    }
    if (isObject(item) && isObject(item.SpecialToken)) {
      const { id, type_id: typeId } = item.SpecialToken;
      const special = typeof id === 'string' ? specials[id] : undefined;
      if (!isObject(special) || !Array.isArray(special.ids) || typeof typeId !== 'number') {
        throw invalid(file, `special token ${JSON.stringify(id)} of the pair template is not in special_tokens`);
      }
      return { kind: 'special', ids: special.ids.map(Number), typeId };
    }
    throw invalid(file, 'bad item in the pair template');
  });
}

function addedTokensSpec(file: string, added: unknown): TokenizerSpec['addedTokens'] {
  if (added === undefined || added === null) return [];
  if (!Array.isArray(added)) throw invalid(file, 'added_tokens must be an array');
  return added.map((t: unknown) => {
    if (!isObject(t) || typeof t.content !== 'string' || typeof t.id !== 'number') throw invalid(file, 'bad entry in added_tokens');
    if (t.normalized === true || t.lstrip === true || t.rstrip === true || t.single_word === true) {
      throw unsupported(file, `added token ${JSON.stringify(t.content)} with normalized/lstrip/rstrip/single_word`);
    }
    return { content: t.content, id: t.id };
  });
}

/** Spec of a tokenizer.json; throws ERR_UNSUPPORTED_TOKENIZER naming the part that is not WordPiece/BERT. */
export function specFromTokenizerJson(file: string, json: Json, tokenizerConfig: Json = {}): TokenizerSpec {
  const model = json.model;
  if (!isObject(model)) throw invalid(file, 'has no model');
  if (model.type !== 'WordPiece') throw unsupported(file, `model type ${JSON.stringify(model.type)}`);
  if (!isObject(model.vocab)) throw invalid(file, 'WordPiece model has no vocab');
  const pre = json.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'BertPreTokenizer') {
    throw unsupported(file, `pre_tokenizer ${JSON.stringify(isObject(pre) ? pre.type : pre)}`);
  }
  const vocab = Object.entries(model.vocab).map(([k, v]): [string, number] => [k, Number(v)]);
  const addedTokens = addedTokensSpec(file, json.added_tokens);
  const unkToken = typeof model.unk_token === 'string' ? model.unk_token : '[UNK]';
  return {
    ...vocabArrays(vocab),
    unkToken,
    continuingSubwordPrefix: typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##',
    maxInputCharsPerWord: typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100,
    normalizer: normalizerSpec(file, json.normalizer),
    addedTokens,
    pairTemplate: templateSpec(file, json.post_processor),
    padId: padId(tokenizerConfig, addedTokens, new Map(vocab)),
  };
}

function padId(tokenizerConfig: Json, added: TokenizerSpec['addedTokens'], vocab: Map<string, number>): number {
  const padToken = tokenName(tokenizerConfig.pad_token) ?? '[PAD]';
  return added.find((t) => t.content === padToken)?.id ?? vocab.get(padToken) ?? 0;
}

function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/** Spec of a bare vocab.txt, built the way transformers converts a BertTokenizer to a fast one. */
export function specFromVocabTxt(file: string, text: string, tokenizerConfig: Json): TokenizerSpec {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab = lines.map((line, i): [string, number] => [line.replace(/\r$/, ''), i]);
  const ids = new Map(vocab);
  const name = (key: string, fallback: string) => tokenName(tokenizerConfig[key]) ?? fallback;
  const [unk, cls, sep, pad, mask] = [
    name('unk_token', '[UNK]'),
    name('cls_token', '[CLS]'),
    name('sep_token', '[SEP]'),
    name('pad_token', '[PAD]'),
    name('mask_token', '[MASK]'),
  ];
  const idOf = (token: string) => {
    const id = ids.get(token);
    if (id === undefined) throw invalid(file, `special token ${token} is not in the vocabulary`);
    return id;
  };
  const lowercase = tokenizerConfig.do_lower_case !== false;
  const addedTokens = [pad, unk, cls, sep, mask].filter((t) => ids.has(t)).map((t) => ({ content: t, id: idOf(t) }));
  return {
    ...vocabArrays(vocab),
    unkToken: unk,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    normalizer: {
      cleanText: true,
      handleChineseChars: tokenizerConfig.tokenize_chinese_chars !== false,
      stripAccents: typeof tokenizerConfig.strip_accents === 'boolean' ? tokenizerConfig.strip_accents : lowercase,
      lowercase,
    },
    addedTokens,
    pairTemplate: [
      { kind: 'special', ids: [idOf(cls)], typeId: 0 },
      { kind: 'A', typeId: 0 },
      { kind: 'special', ids: [idOf(sep)], typeId: 0 },
      { kind: 'B', typeId: 1 },
      { kind: 'special', ids: [idOf(sep)], typeId: 1 },
    ],
    padId: ids.get(pad) ?? 0,
  };
}

export interface LoadedTokenizerSpec {
  spec: TokenizerSpec;
  /** tokenizer_config's model_max_length capped by config.json's max_position_embeddings; 512 when neither says. */
  defaultMaxLength: number;
}

async function readOptionalJson(file: string): Promise<Json> {
  return fs.existsSync(file) ? readJson(file) : {};
}

function defaultMaxLength(tokenizerConfig: Json, config: Json): number {
  const limits: number[] = [];
  const modelMax = tokenizerConfig.model_max_length;
  if (typeof modelMax === 'number' && Number.isInteger(modelMax) && modelMax > 0 && modelMax < 1e6) limits.push(modelMax);
  const positions = config.max_position_embeddings;
  if (typeof positions === 'number' && Number.isInteger(positions) && positions > 0) limits.push(positions);
  return limits.length > 0 ? Math.min(...limits) : 512;
}

/** A tokenizer.json file; tokenizer_config.json and config.json beside it give the default max length. */
export async function loadTokenizerJson(file: string): Promise<LoadedTokenizerSpec> {
  const dir = path.dirname(path.resolve(file));
  const [json, tokenizerConfig, config] = await Promise.all([
    readJson(file),
    readOptionalJson(path.join(dir, 'tokenizer_config.json')),
    readOptionalJson(path.join(dir, 'config.json')),
  ]);
  return { spec: specFromTokenizerJson(file, json, tokenizerConfig), defaultMaxLength: defaultMaxLength(tokenizerConfig, config) };
}

/** A model folder: tokenizer.json when present, else vocab.txt + tokenizer_config.json (do_lower_case etc.). */
export async function loadTokenizerDir(dir: string): Promise<LoadedTokenizerSpec> {
  const jsonFile = path.join(dir, 'tokenizer.json');
  if (fs.existsSync(jsonFile)) return loadTokenizerJson(jsonFile);
  const vocabFile = path.join(dir, 'vocab.txt');
  if (!fs.existsSync(vocabFile)) {
    throw new CrossrankError('ERR_MODEL_NOT_FOUND', `${path.resolve(dir)} has neither tokenizer.json nor vocab.txt`);
  }
  const [text, tokenizerConfig, config] = await Promise.all([
    fs.promises.readFile(vocabFile, 'utf8'),
    readOptionalJson(path.join(dir, 'tokenizer_config.json')),
    readOptionalJson(path.join(dir, 'config.json')),
  ]);
  return { spec: specFromVocabTxt(vocabFile, text, tokenizerConfig), defaultMaxLength: defaultMaxLength(tokenizerConfig, config) };
}

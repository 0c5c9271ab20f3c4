// Finds a model's tokenizer (tokenizer.json, or vocab.txt + tokenizer_config.json) and what the native Tokenizer needs with it.
// Truncation and padding saved inside a tokenizer.json are ignored on purpose: crossrank controls both per call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenizerSpec } from '../binding/native';
import { CrossrankError } from './errors';
import { modelMaxLength } from './max-length';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
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

/** The pad token by name (tokenizer_config.json) and by id (config.json); native code resolves the name. */
function padHint(tokenizerConfig: Json, config: Json): Pick<TokenizerSpec, 'padToken' | 'padId'> {
  const id = config.pad_token_id;
  return {
    padToken: tokenName(tokenizerConfig.pad_token) ?? null,
    padId: typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < 2 ** 31 ? id : null,
  };
}

function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/** A bare vocab.txt as the tokenizer.json transformers' BertConverter makes of a BertTokenizer. */
export function tokenizerJsonFromVocabTxt(file: string, text: string, tokenizerConfig: Json): string {
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

export interface LoadedTokenizerSpec {
  /** The file the tokenizer came from, for error messages. */
  file: string;
  spec: TokenizerSpec;
  /** The folder's default max length (sentence-transformers' precedence, see max-length.ts). */
  defaultMaxLength: number;
}

async function readOptionalJson(file: string): Promise<Json> {
  return fs.existsSync(file) ? readJson(file) : {};
}

/**
 * A tokenizer.json file; tokenizer_config.json and config.json beside it give the pad token and the default max
 * length. The file is parsed by native code off the main thread (XLM-R's is 17 MB).
 */
export async function loadTokenizerJson(file: string): Promise<LoadedTokenizerSpec> {
  const dir = path.dirname(path.resolve(file));
  const [json, tokenizerConfig, config, sentenceBertConfig] = await Promise.all([
    readText(file),
    readOptionalJson(path.join(dir, 'tokenizer_config.json')),
    readOptionalJson(path.join(dir, 'config.json')),
    readOptionalJson(path.join(dir, 'sentence_bert_config.json')),
  ]);
  return {
    file,
    spec: { json, ...padHint(tokenizerConfig, config) },
    defaultMaxLength: modelMaxLength(config, tokenizerConfig, sentenceBertConfig),
  };
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ERR_MODEL_NOT_FOUND' : 'ERR_TOKENIZER';
    throw new CrossrankError(code, `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The files a slow SentencePiece tokenizer (XLM-R, DeBERTa-v2, T5) saves instead of a tokenizer.json. */
export const SENTENCEPIECE_FILES = ['sentencepiece.bpe.model', 'spm.model', 'spiece.model'];

/** As TEI does: crossrank reads the fast tokenizer's tokenizer.json, which transformers makes from the model. */
export function sentencePieceOnly(where: string, file: string): CrossrankError {
  return new CrossrankError(
    'ERR_UNSUPPORTED_TOKENIZER',
    `${where} has a SentencePiece model (${file}) but no tokenizer.json. Export the fast tokenizer once with Python: ` +
      `AutoTokenizer.from_pretrained(<model>).save_pretrained(<folder>) writes tokenizer.json beside it.`,
  );
}

/** A model folder: tokenizer.json when present, else vocab.txt + tokenizer_config.json (do_lower_case etc.). */
export async function loadTokenizerDir(dir: string): Promise<LoadedTokenizerSpec> {
  const jsonFile = path.join(dir, 'tokenizer.json');
  if (fs.existsSync(jsonFile)) return loadTokenizerJson(jsonFile);
  const vocabFile = path.join(dir, 'vocab.txt');
  if (!fs.existsSync(vocabFile)) {
    const sentencePiece = SENTENCEPIECE_FILES.find((name) => fs.existsSync(path.join(dir, name)));
    if (sentencePiece !== undefined) throw sentencePieceOnly(path.resolve(dir), sentencePiece);
    throw new CrossrankError('ERR_MODEL_NOT_FOUND', `${path.resolve(dir)} has neither tokenizer.json nor vocab.txt`);
  }
  const [text, tokenizerConfig, config, sentenceBertConfig] = await Promise.all([
    fs.promises.readFile(vocabFile, 'utf8'),
    readOptionalJson(path.join(dir, 'tokenizer_config.json')),
    readOptionalJson(path.join(dir, 'config.json')),
    readOptionalJson(path.join(dir, 'sentence_bert_config.json')),
  ]);
  return {
    file: vocabFile,
    spec: { json: tokenizerJsonFromVocabTxt(vocabFile, text, tokenizerConfig), ...padHint(tokenizerConfig, config) },
    defaultMaxLength: modelMaxLength(config, tokenizerConfig, sentenceBertConfig),
  };
}

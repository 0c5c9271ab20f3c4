// Finds a model's tokenizer (tokenizer.json, or a slow tokenizer's files) and what the native Tokenizer needs with it.
// Truncation and padding saved inside a tokenizer.json are ignored on purpose: crossrank controls both per call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenizerSpec } from '../binding/native';
import { CrossrankError } from './errors';
import { modelMaxLength } from './max-length';
import { fromVocabJsonMerges, fromVocabTxt, robertaFamily, tokenName } from './tokenizer-converters';

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
  const [json, { tokenizerConfig, config, defaultMaxLength }] = await Promise.all([readText(file), readConfigs(path.dirname(path.resolve(file)))]);
  return { file, spec: { json, ...padHint(tokenizerConfig, config) }, defaultMaxLength };
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

async function readConfigs(dir: string): Promise<{ tokenizerConfig: Json; config: Json; defaultMaxLength: number }> {
  const [tokenizerConfig, config, sentenceBertConfig] = await Promise.all(
    ['tokenizer_config.json', 'config.json', 'sentence_bert_config.json'].map((name) => readOptionalJson(path.join(dir, name))),
  ) as [Json, Json, Json];
  return { tokenizerConfig, config, defaultMaxLength: modelMaxLength(config, tokenizerConfig, sentenceBertConfig) };
}

/**
 * A model folder: tokenizer.json when present, else the slow tokenizer's files as transformers would convert them —
 * vocab.txt (BERT WordPiece, with tokenizer_config's do_lower_case etc.) or vocab.json + merges.txt (RoBERTa BPE).
 */
export async function loadTokenizerDir(dir: string): Promise<LoadedTokenizerSpec> {
  const jsonFile = path.join(dir, 'tokenizer.json');
  if (fs.existsSync(jsonFile)) return loadTokenizerJson(jsonFile);
  const has = (name: string) => fs.existsSync(path.join(dir, name));
  const vocabTxt = path.join(dir, 'vocab.txt');
  if (has('vocab.txt')) {
    const [text, { tokenizerConfig, config, defaultMaxLength }] = await Promise.all([readText(vocabTxt), readConfigs(dir)]);
    return { file: vocabTxt, spec: { json: fromVocabTxt(vocabTxt, text, tokenizerConfig), ...padHint(tokenizerConfig, config) }, defaultMaxLength };
  }
  const vocabJson = path.join(dir, 'vocab.json');
  if (has('vocab.json') && has('merges.txt')) {
    const [vocab, merges, { tokenizerConfig, config, defaultMaxLength }] = await Promise.all([
      readText(vocabJson),
      readText(path.join(dir, 'merges.txt')),
      readConfigs(dir),
    ]);
    const family = robertaFamily(tokenizerConfig, config);
    if (family !== true) {
      throw new CrossrankError(
        'ERR_UNSUPPORTED_TOKENIZER',
        `${path.resolve(dir)} has vocab.json + merges.txt of ${family}, which crossrank reads only for RoBERTa-style tokenizers; ` +
          'save the fast tokenizer (AutoTokenizer.from_pretrained(<model>).save_pretrained(<folder>)) to get a tokenizer.json.',
      );
    }
    const json = fromVocabJsonMerges(vocabJson, vocab, merges, tokenizerConfig);
    return { file: vocabJson, spec: { json, ...padHint(tokenizerConfig, config) }, defaultMaxLength };
  }
  const sentencePiece = SENTENCEPIECE_FILES.find(has);
  if (sentencePiece !== undefined) throw sentencePieceOnly(path.resolve(dir), sentencePiece);
  throw new CrossrankError('ERR_MODEL_NOT_FOUND', `${path.resolve(dir)} has no tokenizer.json, vocab.txt, or vocab.json + merges.txt`);
}

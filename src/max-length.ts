// The longest tokenized pair a model takes, in sentence-transformers' order of precedence, capped by its positions.

type Json = Record<string, unknown>;

// Families whose learned positions start at padding_idx + 1 (fairseq's RoBERTa layout), so two table rows are unusable.
const PADDING_OFFSET_FAMILIES = new Set([
  'roberta',
  'xlmroberta',
  'xlmrobertaxl',
  'camembert',
  'data2vectext',
  'robertaprelayernorm',
  'mpnet',
  'longformer',
]);

/** Tokenizers without a limit save a huge sentinel (1e30); anything this large means "no limit". */
const NO_LIMIT = 1e6;

function positiveInteger(v: unknown, below = Number.MAX_SAFE_INTEGER): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v < below ? v : undefined;
}

/**
 * Tokens the model's position table can address: max_position_embeddings, less pad_token_id + 1 for RoBERTa-style
 * families (XLM-R's 514 gives 512). Undefined when config.json does not say.
 */
export function usablePositions(config: Json): number | undefined {
  const positions = positiveInteger(config.max_position_embeddings);
  if (positions === undefined) return undefined;
  const family = typeof config.model_type === 'string' ? config.model_type.toLowerCase().replace(/[-_]/g, '') : '';
  if (!PADDING_OFFSET_FAMILIES.has(family)) return positions;
  const padId = config.pad_token_id === 0 ? 0 : (positiveInteger(config.pad_token_id) ?? 1);
  return Math.max(1, positions - (padId + 1));
}

/**
 * The default max length: sentence_bert_config.json's max_seq_length, else tokenizer_config's model_max_length, else
 * the usable positions, else 512 — each capped by the usable positions (a longer input cannot run).
 */
export function modelMaxLength(config: Json, tokenizerConfig: Json, sentenceBertConfig: Json): number {
  const cap = usablePositions(config);
  const stated = positiveInteger(sentenceBertConfig.max_seq_length, NO_LIMIT) ?? positiveInteger(tokenizerConfig.model_max_length, NO_LIMIT);
  const length = stated ?? cap ?? 512;
  return cap === undefined ? length : Math.min(length, cap);
}

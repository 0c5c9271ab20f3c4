// Long documents for rank(): a document past the model's window becomes overlapping windows of whole words, so
// rank() can score it by its best window (as Cohere's rerank does) instead of cutting it at the window's end.
import type { EncodedPair, Tokenizer } from './tokenizer';

export interface WindowOptions {
  /** The model's maxLength: query, document and special tokens together. */
  maxLength: number;
  /** Windows per document at most; the rest of a longer document is not scored. */
  maxChunks: number;
  /** Tokens of each document considered at most (the windows stop there). Default: no limit. */
  maxTokens: number;
}

export interface Windows {
  /** The texts to score: each document itself when it fits, else its windows. */
  texts: string[];
  /** For each text, the index of the document it belongs to. */
  owners: number[];
}

/** Windows overlap by this fraction of their length, so a passage cut by one window's end is whole in the next. */
const OVERLAP = 0.25;
/** With fewer document tokens than this beside the query, windows would say little: documents are left as they are. */
const MIN_WINDOW = 16;
const WORD = /\S+/g;

/**
 * Plans the windows. Token counts come from tokenizing each word alone: exact for WordPiece (whitespace always
 * splits), close for other tokenizers; a window that still runs over is cut by the scorer's normal truncation.
 */
export async function documentWindows(tokenizer: Tokenizer, query: string, documents: readonly string[], options: WindowOptions): Promise<Windows> {
  const { maxLength, maxChunks, maxTokens } = options;
  const whole: Windows = { texts: [...documents], owners: documents.map((_, i) => i) };
  const [empty, withQuery] = await tokenizer.encodePairs(
    [
      ['', ''],
      [query, ''],
    ],
    { maxLength, truncation: 'only_first' },
  );
  const specials = (empty as EncodedPair).ids.length;
  // A query that fills the window on its own (cut to maxLength here) leaves no budget: documents stay whole.
  const budget = Math.min(maxLength - (withQuery as EncodedPair).ids.length, maxTokens);
  if (budget < MIN_WINDOW) return whole;

  // Documents within the budget (tokenized only as far as one token past it) stay whole.
  const lengths = await tokenizer.encodePairs(
    documents.map((d) => ['', d] as const),
    { maxLength: specials + budget + 1, truncation: 'only_second' },
  );
  const windows: Windows = { texts: [], owners: [] };
  for (let i = 0; i < documents.length; i++) {
    const doc = documents[i] as string;
    if ((lengths[i] as EncodedPair).ids.length - specials <= budget) {
      windows.texts.push(doc);
      windows.owners.push(i);
      continue;
    }
    for (const text of await splitDocument(tokenizer, doc, specials, budget, maxChunks, maxTokens)) {
      windows.texts.push(text);
      windows.owners.push(i);
    }
  }
  return windows;
}

async function splitDocument(
  tokenizer: Tokenizer,
  doc: string,
  specials: number,
  budget: number,
  maxChunks: number,
  maxTokens: number,
): Promise<string[]> {
  const stride = Math.max(1, Math.floor(budget * (1 - OVERLAP)));
  const reach = Math.min(maxTokens, budget + (maxChunks - 1) * stride);
  // Every word holds at least one token (bar stray control characters), so `reach` words cover the reach.
  const words: { start: number; end: number }[] = [];
  for (const match of doc.matchAll(WORD)) {
    words.push({ start: match.index, end: match.index + match[0].length });
    if (words.length >= reach) break;
  }
  const encoded = await tokenizer.encodePairs(
    words.map((w) => ['', doc.slice(w.start, w.end)] as const),
    { maxLength: specials + budget + 1, truncation: 'only_second' },
  );
  // starts[k]: tokens before word k.
  const starts = new Array<number>(words.length + 1);
  starts[0] = 0;
  encoded.forEach((e, k) => {
    starts[k + 1] = (starts[k] as number) + e.ids.length - specials;
  });

  const texts: string[] = [];
  let first = 0;
  while (first < words.length && texts.length < maxChunks) {
    const limit = Math.min((starts[first] as number) + budget, maxTokens);
    let last = first;
    while (last + 1 < words.length && (starts[last + 2] as number) <= limit) last++;
    texts.push(doc.slice((words[first] as { start: number }).start, (words[last] as { end: number }).end));
    if (last + 1 >= words.length || (starts[last + 1] as number) >= maxTokens) break;
    let next = first + 1;
    while (next <= last && (starts[next] as number) < (starts[first] as number) + stride) next++;
    first = next;
  }
  return texts;
}

// Scores a list of pairs in chunks, several in flight so the batcher stays busy, handing results back in input order.
import type { CrossEncoder } from '../cross-encoder';
import type { TruncationStrategy } from '../tokenizer';
import type { Activation } from '../activation';
import type { Pair } from './input';
import { progressBar } from './progress';

export interface OrderedScoringOptions {
  activation?: Activation;
  truncation?: TruncationStrategy;
  signal: AbortSignal;
  /** Called once per chunk, in input order, with the index of the chunk's first pair. */
  onChunk(start: number, scores: Float32Array | Float32Array[]): void;
}

/** Pairs per score() call: small enough for prompt, frequent output, large enough to amortize the call. */
const CHUNK = 64;
/** Calls in flight at once: enough queued pairs to fill several batches. */
const WINDOW = 8;

/** Scores every pair; on abort or failure the calls in flight are cancelled and the error propagates. */
export async function scoreInOrder(
  model: CrossEncoder<Float32Array | Float32Array[]>,
  pairs: readonly Pair[],
  options: OrderedScoringOptions,
): Promise<void> {
  const local = new AbortController();
  const stop = (): void => local.abort();
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  const progress = progressBar(pairs.length, 'pairs');
  const inFlight: Array<{ start: number; scores: Promise<Float32Array | Float32Array[]> }> = [];
  let next = 0;
  try {
    while (next < pairs.length || inFlight.length > 0) {
      while (next < pairs.length && inFlight.length < WINDOW) {
        const start = next;
        next = Math.min(pairs.length, next + CHUNK);
        const scores = model.score(pairs.slice(start, next), {
          signal: local.signal,
          ...(options.activation && { activation: options.activation }),
          ...(options.truncation && { truncation: options.truncation }),
        });
        // Rejections of calls behind a failed one are expected; only the head's is reported.
        scores.catch(() => {});
        inFlight.push({ start, scores });
      }
      const head = inFlight.shift() as (typeof inFlight)[number];
      const scores = await head.scores;
      options.onChunk(head.start, scores);
      progress.update(head.start + scores.length);
    }
  } finally {
    local.abort();
    options.signal.removeEventListener('abort', stop);
    progress.stop();
  }
}

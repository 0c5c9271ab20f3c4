// The careful hand-written peer: `tokenizers` + onnxruntime-node's JS API, as a Node developer would write it today.
import type * as ort from 'onnxruntime-node';
import type { Tokenizer } from 'tokenizers';
import { batchFeeds, createSession, encodePairs, firstLogits, lengthSortedBatches, loadTokenizer, type Pair } from './ort-batches';

export const BATCH_SIZE = 32;

export class HandWritten {
  // ONNX Runtime already uses every core inside one run, so runs go one at a time through this promise chain.
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly tokenizer: Tokenizer,
    readonly session: ort.InferenceSession,
  ) {}

  static async load(modelDir: string, threads: number): Promise<HandWritten> {
    return new HandWritten(loadTokenizer(modelDir), await createSession(modelDir, threads));
  }

  /** Tokenizes all pairs in one encodeBatch, runs length-sorted batches of 32 padded to their longest, returns input order. */
  async score(pairs: readonly Pair[]): Promise<Float32Array> {
    const encoded = await encodePairs(this.tokenizer, pairs);
    const scores = new Float32Array(pairs.length);
    for (const rows of lengthSortedBatches(encoded, BATCH_SIZE)) {
      const logits = firstLogits(await this.#run(batchFeeds(this.session, encoded, rows)));
      rows.forEach((r, i) => (scores[r] = logits[i] as number));
    }
    return scores;
  }

  /** One serving call: tokenize the query with each document, then one run of that batch, queued behind other calls' runs. */
  async rank(query: string, documents: readonly string[]): Promise<Float32Array> {
    const encoded = await encodePairs(this.tokenizer, documents.map((d) => [query, d] as const));
    return firstLogits(await this.#run(batchFeeds(this.session, encoded, encoded.map((_, i) => i))));
  }

  #run(feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
    const run = (): Promise<ort.InferenceSession.OnnxValueMapType> => this.session.run(feeds);
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    return this.session.release();
  }
}

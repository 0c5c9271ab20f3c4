// Scores probe pairs on a derived graph with the model's own native tokenizer, on the CPU, off the main thread.
import { native, type NativeModel, type NativeTokenizer } from '../../binding/native';
import { fromNative } from '../errors';
import { intraOpThreads } from '../physical-cores';

/**
 * Logits (flat, [pair][label]) of `texts` (query, document, ...) run through the ONNX file at `modelPath`; with
 * `oneBatch`, all pairs in one padded batch (to check masking), else in the engine's default length-sorted batches.
 */
export type ProbeScorer = (modelPath: string, texts: string[], oneBatch?: boolean) => Promise<Float32Array>;

/** Probes are cut at 128 tokens, which every BERT's position table holds. */
const PROBE_MAX_LENGTH = 128;

/** A scorer that opens a CPU session per call and closes it after. */
export function probeScorer(tokenizer: NativeTokenizer, numLabelsHint: number): ProbeScorer {
  return async (modelPath, texts, oneBatch = false) => {
    let model: NativeModel;
    try {
      model = await native().createModel(tokenizer, {
        modelPath,
        providers: [{ name: 'cpu', options: {} }],
        fallback: false,
        maxLength: PROBE_MAX_LENGTH,
        lengthBucket: 1,
        maxInflightBatches: 1,
        threads: intraOpThreads(0),
        numLabelsHint,
        maxBatchTokens: oneBatch ? 1 << 20 : 4096,
        maxBatchSize: oneBatch ? texts.length : 32,
        maxQueuedPairs: texts.length,
        // A run cost beyond any padding keeps oneBatch's texts together.
        runCostTokens: oneBatch ? 1 << 30 : 16,
      });
    } catch (error) {
      throw fromNative(error);
    }
    try {
      return await new Promise<Float32Array>((resolve, reject) =>
        model.score(texts, { maxLength: PROBE_MAX_LENGTH, truncation: 0, activation: 0 }, (error, scores) =>
          error ? reject(fromNative(error)) : resolve(scores as Float32Array),
        ),
      );
    } finally {
      await new Promise<void>((resolve) => model.close(resolve));
    }
  };
}

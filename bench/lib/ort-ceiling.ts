// The pure ONNX Runtime ceiling: pre-tokenized, pre-built length-sorted batches of 32, `session.run` back to back.
import type * as ort from 'onnxruntime-node';
import { batchFeeds, createSession, encodePairs, lengthSortedBatches, loadTokenizer, type Pair } from './ort-batches';

export const BATCH_SIZE = 32;

export class OrtCeiling {
  private constructor(readonly session: ort.InferenceSession, readonly modelDir: string) {}

  static async load(modelDir: string, threads: number): Promise<OrtCeiling> {
    return new OrtCeiling(await createSession(modelDir, threads), modelDir);
  }

  /** Tokenizes and builds the tensors up front: none of this is timed. */
  async prepare(pairs: readonly Pair[], batchSize = BATCH_SIZE): Promise<Array<Record<string, ort.Tensor>>> {
    const encoded = await encodePairs(loadTokenizer(this.modelDir), pairs);
    return lengthSortedBatches(encoded, batchSize).map((rows) => batchFeeds(this.session, encoded, rows));
  }

  async run(batches: ReadonlyArray<Record<string, ort.Tensor>>): Promise<void> {
    for (const feeds of batches) await this.session.run(feeds);
  }

  close(): Promise<void> {
    return this.session.release();
  }
}

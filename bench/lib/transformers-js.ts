// The transformers.js peer, used as its docs show: tokenizer with text_pair, padding and truncation, batches in input order.
import * as path from 'node:path';
import { sessionOptions, type Pair } from './ort-batches';

export const BATCH_SIZE = 32;

type Transformers = typeof import('@huggingface/transformers');
type Tokenizer = Awaited<ReturnType<Transformers['AutoTokenizer']['from_pretrained']>>;
type Model = Awaited<ReturnType<Transformers['AutoModelForSequenceClassification']['from_pretrained']>>;

export class TransformersJs {
  private constructor(
    readonly tokenizer: Tokenizer,
    readonly model: Model,
    readonly version: string,
  ) {}

  /**
   * Loads local files only with the same ONNX Runtime settings as every other path: fp32 onnx/model.onnx, or with
   * dtype 'q8' onnx/model_quantized.onnx, transformers.js's int8 file.
   */
  static async load(modelDir: string, threads: number, dtype: 'fp32' | 'q8' = 'fp32'): Promise<TransformersJs> {
    const tf: Transformers = await import('@huggingface/transformers');
    const dir = path.resolve(modelDir);
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.localModelPath = path.dirname(dir);
    const name = path.basename(dir);
    const tokenizer = await tf.AutoTokenizer.from_pretrained(name, { local_files_only: true });
    const model = await tf.AutoModelForSequenceClassification.from_pretrained(name, {
      local_files_only: true,
      dtype,
      device: 'cpu',
      session_options: sessionOptions(threads),
    });
    return new TransformersJs(tokenizer, model, tf.env.version);
  }

  async score(pairs: readonly Pair[]): Promise<Float32Array> {
    const scores = new Float32Array(pairs.length);
    for (let start = 0; start < pairs.length; start += BATCH_SIZE) {
      const batch = pairs.slice(start, start + BATCH_SIZE);
      const inputs = this.tokenizer(
        batch.map(([a]) => a),
        { text_pair: batch.map(([, b]) => b), padding: true, truncation: true },
      );
      const { logits } = (await this.model(inputs)) as { logits: { data: Float32Array; dims: number[] } };
      const width = logits.data.length / batch.length;
      for (let i = 0; i < batch.length; i++) scores[start + i] = logits.data[i * width] as number;
    }
    return scores;
  }

  close(): Promise<unknown> {
    return this.model.dispose();
  }
}

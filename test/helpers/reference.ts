// Expected logits for tests: Hugging Face `tokenizers` + onnxruntime-node's JS API, one pair at a time.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer, type TruncationStrategy } from 'tokenizers';

export type Truncation = 'longest_first' | 'only_first' | 'only_second';

export interface ReferenceOptions {
  /** Maximum tokens per pair, special tokens included (default 512). */
  maxLength?: number;
  truncation?: Truncation;
}

// `tokenizers` declares these as a const enum, which tsx/esbuild cannot inline: use the string values.
const STRATEGY: Record<Truncation, TruncationStrategy> = {
  longest_first: 'LongestFirst' as TruncationStrategy,
  only_first: 'OnlyFirst' as TruncationStrategy,
  only_second: 'OnlySecond' as TruncationStrategy,
};

interface LoadedModel {
  session: ort.InferenceSession;
  numLabels: number;
}

// One session per model file version for the whole test process: reloading minilm-l6 per call costs a second.
const sessions = new Map<string, Promise<LoadedModel>>();

async function loadModel(modelDir: string, modelFile: string): Promise<LoadedModel> {
  const session = await ort.InferenceSession.create(modelFile);
  const logits = session.outputMetadata.find((m) => m.name === 'logits');
  const labels = logits?.isTensor ? logits.shape[1] : undefined;
  if (typeof labels !== 'number') throw new Error(`${modelDir}: output logits has no fixed label dimension`);
  return { session, numLabels: labels };
}

function modelFor(modelDir: string): Promise<LoadedModel> {
  const modelFile = path.resolve(modelDir, 'onnx', 'model.onnx');
  // Keyed by modification time too, so a regenerated model is never scored with a stale session.
  const key = `${modelFile}@${fs.statSync(modelFile).mtimeMs}`;
  let model = sessions.get(key);
  if (!model) {
    model = loadModel(modelDir, modelFile);
    sessions.set(key, model);
  }
  return model;
}

function int64Tensor(values: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [1, values.length]);
}

/** Raw logits (num_labels per pair) for each pair, computed independently of crossrank. */
export async function referenceScores(
  modelDir: string,
  pairs: ReadonlyArray<readonly [string, string]>,
  options: ReferenceOptions = {},
): Promise<Float32Array[]> {
  const maxLength = options.maxLength ?? 512;
  const tokenizer = Tokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
  // Set both explicitly: a tokenizer.json may carry its own truncation or padding.
  tokenizer.setTruncation(maxLength, { strategy: STRATEGY[options.truncation ?? 'longest_first'] });
  tokenizer.disablePadding();

  const { session, numLabels } = await modelFor(modelDir);
  const declared = new Set(session.inputNames);
  const out: Float32Array[] = [];
  for (const [a, b] of pairs) {
    const enc = await tokenizer.encode(a, b);
    const all: Record<string, ort.Tensor> = {
      input_ids: int64Tensor(enc.getIds()),
      attention_mask: int64Tensor(enc.getAttentionMask()),
      token_type_ids: int64Tensor(enc.getTypeIds()),
    };
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of declared) {
      const t = all[name];
      if (!t) throw new Error(`${modelDir}: unexpected model input ${name}`);
      feeds[name] = t;
    }
    const result = await session.run(feeds);
    const logits = result.logits;
    if (!logits || logits.type !== 'float32') throw new Error(`${modelDir}: no float32 logits output`);
    if (logits.data.length !== numLabels) throw new Error(`${modelDir}: expected ${numLabels} logits per pair`);
    out.push(Float32Array.from(logits.data as Float32Array));
  }
  return out;
}

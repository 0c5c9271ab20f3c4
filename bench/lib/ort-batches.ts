// Shared ONNX Runtime + `tokenizers` plumbing for the peers: one session setting for all, length-sorted padded batches.
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from 'tokenizers';

export type Pair = readonly [string, string];

/** The same settings for every ONNX Runtime session in the benchmarks, crossrank's included (threads = physical cores). */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

export function modelFile(modelDir: string): string {
  return path.resolve(modelDir, 'onnx', 'model.onnx');
}

export function createSession(modelDir: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelFile(modelDir), sessionOptions(threads));
}

/** tokenizer.json with truncation at 512 (longest first) and no padding: batches pad themselves to their longest row. */
export function loadTokenizer(modelDir: string): Tokenizer {
  const tokenizer = Tokenizer.fromFile(path.resolve(modelDir, 'tokenizer.json'));
  tokenizer.setTruncation(512);
  tokenizer.disablePadding();
  return tokenizer;
}

export interface Encoded {
  ids: number[];
  typeIds: number[];
}

/** Every pair through `encode(a, b)` at once: each runs on the libuv threadpool (0.23's encodeBatch takes single strings only). */
export async function encodePairs(tokenizer: Tokenizer, pairs: readonly Pair[]): Promise<Encoded[]> {
  const encodings = await Promise.all(pairs.map(([a, b]) => tokenizer.encode(a, b)));
  return encodings.map((e) => ({ ids: e.getIds(), typeIds: e.getTypeIds() }));
}

/** Indices grouped into batches of `size`, shortest pairs first, so each batch pads little. */
export function lengthSortedBatches(encoded: readonly Encoded[], size: number): number[][] {
  const order = encoded.map((_, i) => i).sort((a, b) => (encoded[a] as Encoded).ids.length - (encoded[b] as Encoded).ids.length || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += size) batches.push(order.slice(i, i + size));
  return batches;
}

/** Int64 feeds for the rows `rows` of `encoded`, padded to the longest; only the inputs the graph declares. */
export function batchFeeds(session: ort.InferenceSession, encoded: readonly Encoded[], rows: readonly number[]): Record<string, ort.Tensor> {
  const width = Math.max(...rows.map((r) => (encoded[r] as Encoded).ids.length));
  const ids = new BigInt64Array(rows.length * width);
  const mask = new BigInt64Array(rows.length * width);
  const types = new BigInt64Array(rows.length * width);
  rows.forEach((r, row) => {
    const e = encoded[r] as Encoded;
    const base = row * width;
    for (let j = 0; j < e.ids.length; j++) {
      ids[base + j] = BigInt(e.ids[j] as number);
      mask[base + j] = 1n;
      types[base + j] = BigInt(e.typeIds[j] as number);
    }
  });
  const dims = [rows.length, width];
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', types, dims),
  };
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const t = all[name];
    if (!t) throw new Error(`unexpected model input ${name}`);
    feeds[name] = t;
  }
  return feeds;
}

/** The first logit of each row (one-label models). */
export function firstLogits(result: ort.InferenceSession.OnnxValueMapType): Float32Array {
  const logits = result.logits as ort.Tensor | undefined;
  if (!logits || logits.type !== 'float32') throw new Error('model has no float32 logits output');
  const rows = logits.dims[0] as number;
  const width = logits.data.length / rows;
  const data = logits.data as Float32Array;
  return Float32Array.from({ length: rows }, (_, i) => data[i * width] as number);
}

// score() against the reference (tokenizers + onnxruntime-node, one pair at a time), and batching invariance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { MODEL_CARD_PAIRS, ordinaryPairs } from './helpers/pairs';
import { referenceScores } from './helpers/reference';
import { MINILM, maxAbsDiff } from './helpers/models';

const pairs = ordinaryPairs(2000, 7);
let model: CrossEncoder;
let reference: Float32Array;
let single: Float32Array | undefined;

beforeAll(async () => {
  model = await CrossEncoder.load(MINILM);
  reference = Float32Array.from((await referenceScores(MINILM, pairs)).map((logits) => logits[0] as number));
});
afterAll(() => model?.close());

function seededShuffle<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('minilm-l6 parity', { timeout: 300_000 }, () => {
  it('includes the model card pairs and scores them like the reference', async () => {
    expect(pairs.slice(0, 5)).toEqual(MODEL_CARD_PAIRS.map(([a, b]) => [a, b]));
    const scores = await model.score(pairs.slice(0, 5));
    expect(maxAbsDiff(scores, reference.subarray(0, 5))).toBeLessThanOrEqual(1e-4);
  });

  it('scores 2,000 ordinary pairs in one call within 1e-4 of the reference', async () => {
    const scores = await model.score(pairs);
    single = scores;
    expect(scores).toBeInstanceOf(Float32Array);
    expect(scores.length).toBe(pairs.length);
    expect(maxAbsDiff(scores, reference)).toBeLessThanOrEqual(1e-4);
    // The model's saved activation is Identity: these are raw logits, and they vary.
    expect(model.activation).toBe('identity');
  });

  it('gives the same numbers in one call, in 100 concurrent shuffled calls and one pair at a time', async () => {
    single ??= await model.score(pairs);
    const indices = seededShuffle([...pairs.keys()], 11);
    const chunks: number[][] = [];
    for (let c = 0; c < 100; c++) chunks.push(indices.slice(c * 20, (c + 1) * 20));
    const concurrent = new Float32Array(pairs.length);
    await Promise.all(
      chunks.map(async (chunk) => {
        const scores = await model.score(chunk.map((i) => pairs[i] as [string, string]));
        chunk.forEach((i, k) => (concurrent[i] = scores[k] as number));
      }),
    );
    expect(maxAbsDiff(concurrent, single!)).toBeLessThanOrEqual(1e-5);
    const oneByOne = new Float32Array(200);
    for (let i = 0; i < 200; i++) oneByOne[i] = (await model.score([pairs[i] as [string, string]]))[0] as number;
    expect(maxAbsDiff(oneByOne, single!.subarray(0, 200))).toBeLessThanOrEqual(1e-5);
  });

  it('rank() orders documents by the reference scores', async () => {
    const [query] = MODEL_CARD_PAIRS[0] as [string, string];
    const documents = pairs.slice(0, 40).map(([, b]) => b);
    const expected = await referenceScores(MINILM, documents.map((d) => [query, d] as [string, string]));
    const ranked = await model.rank(query, documents, { returnDocuments: true });
    expect(ranked.map((r) => r.corpusId).sort((a, b) => a - b)).toEqual([...documents.keys()]);
    for (let i = 0; i < ranked.length; i++) {
      const r = ranked[i]!;
      expect(Math.abs(r.score - (expected[r.corpusId]![0] as number))).toBeLessThanOrEqual(1e-4);
      expect(r.text).toBe(documents[r.corpusId]);
      if (i > 0) expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(r.score);
    }
  });
});

// sentence-transformers semantics: activation rules from both saved-config styles, several labels, optional inputs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { ordinaryPairs } from './helpers/pairs';
import { referenceScores } from './helpers/reference';
import { SHARED_TOKENIZERS, TINY, TINY_3_LABELS, TINY_NO_TYPES, cloneModel, maxAbsDiff } from './helpers/models';

const pairs = ordinaryPairs(60, 3);
const open: CrossEncoder<Float32Array | Float32Array[]>[] = [];
afterAll(async () => {
  await Promise.all(open.map((m) => m.close()));
});

async function load<S extends Float32Array | Float32Array[] = Float32Array>(
  dir: string,
  options?: Parameters<typeof CrossEncoder.load>[1],
): Promise<CrossEncoder<S>> {
  const model = await CrossEncoder.load<S>(dir, options);
  open.push(model as CrossEncoder<Float32Array | Float32Array[]>);
  return model;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function withConfig(edit: (config: Record<string, unknown>) => void, extraFiles: Record<string, unknown> = {}): string {
  return cloneModel(TINY, (dir) => {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    delete config.sbert_ce_default_activation_function;
    delete config.sentence_transformers;
    edit(config);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    for (const [name, content] of Object.entries(extraFiles)) fs.writeFileSync(path.join(dir, name), JSON.stringify(content));
  });
}

describe('activation', () => {
  it("'auto' reads sentence-transformers 5's config.json key (Identity: raw logits)", async () => {
    const st5 = JSON.parse(fs.readFileSync(path.join(SHARED_TOKENIZERS, 'ms-marco-MiniLM-L6-v2-st4-config', 'config.json'), 'utf8'));
    const dir = withConfig((c) => (c.sentence_transformers = st5.sentence_transformers));
    const model = await load(dir);
    expect(model.activation).toBe('identity');
    const expected = (await referenceScores(TINY, pairs)).map((l) => l[0] as number);
    expect(maxAbsDiff(await model.score(pairs), expected)).toBeLessThanOrEqual(1e-4);
  });

  it("'auto' reads the legacy sbert_ce_default_activation_function key", async () => {
    const legacy = JSON.parse(fs.readFileSync(path.join(SHARED_TOKENIZERS, 'ms-marco-MiniLM-L6-v2', 'config.json'), 'utf8'));
    expect(legacy.sbert_ce_default_activation_function).toBe('torch.nn.modules.linear.Identity');
    const dir = withConfig((c) => (c.sbert_ce_default_activation_function = 'torch.nn.modules.activation.Sigmoid'));
    const model = await load(dir);
    expect(model.activation).toBe('sigmoid');
    const expected = (await referenceScores(TINY, pairs)).map((l) => sigmoid(l[0] as number));
    expect(maxAbsDiff(await model.score(pairs), expected)).toBeLessThanOrEqual(1e-5);
  });

  it("'auto' reads config_sentence_transformers.json", async () => {
    const dir = withConfig(() => {}, { 'config_sentence_transformers.json': { activation_fn: 'torch.nn.modules.linear.Identity' } });
    expect((await load(dir)).activation).toBe('identity');
  });

  it("'auto' falls back to Sigmoid for one label and Identity for several", async () => {
    expect((await load(withConfig(() => {}))).activation).toBe('sigmoid');
    expect((await load(TINY_3_LABELS)).activation).toBe('identity');
  });

  it('an unknown saved activation is refused with a coded error', async () => {
    const dir = withConfig((c) => (c.sentence_transformers = { activation_fn: 'torch.nn.modules.activation.Tanh' }));
    await expect(load(dir)).rejects.toMatchObject({ code: 'ERR_MODEL_CONFIG', message: expect.stringContaining('Tanh') });
    expect((await load(dir, { activation: 'identity' })).activation).toBe('identity');
  });

  it('a call can override the activation', async () => {
    const model = await load(TINY, { activation: 'identity' });
    const raw = await model.score(pairs);
    const squashed = await model.score(pairs, { activation: 'sigmoid' });
    expect(maxAbsDiff(squashed, Array.from(raw, sigmoid))).toBeLessThanOrEqual(1e-6);
  });
});

describe('model shapes', () => {
  it('scores a 3-label model: one Float32Array per pair, softmax across labels', async () => {
    const model = await load<Float32Array[]>(TINY_3_LABELS);
    expect(model.numLabels).toBe(3);
    expect(model.labels).toHaveLength(3);
    const expected = await referenceScores(TINY_3_LABELS, pairs);
    const logits = await model.score(pairs);
    expect(logits).toHaveLength(pairs.length);
    logits.forEach((row, i) => expect(maxAbsDiff(row, expected[i]!)).toBeLessThanOrEqual(1e-4));
    const probs = await model.score(pairs, { activation: 'softmax' });
    probs.forEach((row, i) => {
      const e = Array.from(expected[i]!, (x) => Math.exp(x));
      const sum = e.reduce((a, b) => a + b, 0);
      expect(maxAbsDiff(row, e.map((x) => x / sum))).toBeLessThanOrEqual(1e-5);
    });
    await expect(model.rank('q', ['a'])).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
  });

  it('feeds only declared inputs: a graph without token_type_ids works', async () => {
    const model = await load(TINY_NO_TYPES, { activation: 'identity' });
    const expected = (await referenceScores(TINY_NO_TYPES, pairs)).map((l) => l[0] as number);
    expect(maxAbsDiff(await model.score(pairs), expected)).toBeLessThanOrEqual(1e-4);
  });

  it('honours maxLength and every truncation strategy like the reference, errors included', async () => {
    const model = await load(TINY, { activation: 'identity', maxLength: 24 });
    for (const truncation of ['longest_first', 'only_first', 'only_second'] as const) {
      let accepted = 0;
      let refused = 0;
      for (const pair of pairs.slice(0, 30)) {
        const expected = await referenceScores(TINY, [pair], { maxLength: 24, truncation }).then(
          (r) => r[0]![0] as number,
          () => undefined,
        );
        if (expected === undefined) {
          refused++;
          await expect(model.score([pair], { truncation })).rejects.toMatchObject({ code: 'ERR_TRUNCATION' });
        } else {
          accepted++;
          const [score] = await model.score([pair], { truncation });
          expect(Math.abs((score as number) - expected)).toBeLessThanOrEqual(1e-4);
        }
      }
      expect(accepted + refused).toBe(30);
    }
  });
});

describe('rank', () => {
  it('sorts by score, breaks ties by index, honours topK and returnDocuments', async () => {
    const model = await load(TINY, { activation: 'identity' });
    const docs = ['alpha beta', 'gamma delta epsilon', 'alpha beta', 'zeta', 'alpha beta'];
    const ranked = await model.rank('alpha', docs);
    const scores = await model.score(docs.map((d) => ['alpha', d] as [string, string]));
    const expectedOrder = [...docs.keys()].sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
    expect(ranked.map((r) => r.corpusId)).toEqual(expectedOrder);
    const tied = ranked.filter((r) => docs[r.corpusId] === 'alpha beta').map((r) => r.corpusId);
    expect(tied).toEqual([0, 2, 4]);
    expect(ranked[0]).not.toHaveProperty('text');
    const top = await model.rank('alpha', docs, { topK: 2, returnDocuments: true });
    expect(top).toHaveLength(2);
    expect(top[0]!.text).toBe(docs[top[0]!.corpusId]);
    expect(await model.rank('alpha', [])).toEqual([]);
  });

  it('handles empty inputs', async () => {
    const model = await load(TINY, { activation: 'identity' });
    expect(await model.score([])).toEqual(new Float32Array(0));
    const [empty] = await model.score([['', '']]);
    const [expected] = await referenceScores(TINY, [['', '']]);
    expect(Math.abs((empty as number) - (expected![0] as number))).toBeLessThanOrEqual(1e-4);
  });
});

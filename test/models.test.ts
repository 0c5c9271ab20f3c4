// Checks the generated test models: layout, graph signature, score spread, and that the mask and type ids matter.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordinaryPairs, type TextPair } from './helpers/pairs';
import { referenceScores } from './helpers/reference';

const GENERATED = path.resolve(__dirname, '../models/generated');
const MODELS = [
  { name: 'minilm-l6', tokenTypes: true, labels: 1 },
  { name: 'tiny', tokenTypes: true, labels: 1 },
  { name: 'tiny-no-token-types', tokenTypes: false, labels: 1 },
  { name: 'tiny-3-labels', tokenTypes: true, labels: 3 },
] as const;
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'onnx/model.onnx'];

interface Encoded {
  ids: number[];
  mask: number[];
  types: number[];
}

async function encode(modelDir: string, pairs: readonly TextPair[]): Promise<Encoded[]> {
  const tokenizer = Tokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
  tokenizer.setTruncation(512);
  tokenizer.disablePadding();
  const out: Encoded[] = [];
  for (const [a, b] of pairs) {
    const e = await tokenizer.encode(a, b);
    out.push({ ids: e.getIds(), mask: e.getAttentionMask(), types: e.getTypeIds() });
  }
  return out;
}

/** Runs one right-padded batch (pad id 0, mask 0, type 0) and returns the logits per row. */
async function runBatch(session: ort.InferenceSession, rows: readonly Encoded[], labels: number): Promise<Float32Array[]> {
  const len = Math.max(...rows.map((r) => r.ids.length));
  const tensor = (pick: (r: Encoded) => number[]): ort.Tensor => {
    const data = new BigInt64Array(rows.length * len);
    rows.forEach((r, i) => pick(r).forEach((v, j) => (data[i * len + j] = BigInt(v))));
    return new ort.Tensor('int64', data, [rows.length, len]);
  };
  const all: Record<string, ort.Tensor> = {
    input_ids: tensor((r) => r.ids),
    attention_mask: tensor((r) => r.mask),
    token_type_ids: tensor((r) => r.types),
  };
  const feeds = Object.fromEntries(session.inputNames.map((n) => [n, all[n] as ort.Tensor]));
  const logits = (await session.run(feeds)).logits as ort.Tensor;
  const data = logits.data as Float32Array;
  return rows.map((_, i) => data.slice(i * labels, (i + 1) * labels));
}

function std(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))));
}

const pairs = ordinaryPairs(200, 2024);

for (const spec of MODELS) {
  describe(`generated model ${spec.name}`, () => {
    const dir = path.join(GENERATED, spec.name);
    let session: ort.InferenceSession;

    beforeAll(async () => {
      if (!fs.existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
        throw new Error(`${dir} is missing: run \`npm run models\` (or \`npm run setup\`) first`);
      }
      session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
    });
    afterAll(async () => {
      await session?.release();
    });

    it('has the Hugging Face folder layout and a matching config', () => {
      for (const f of FILES) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      expect(config.architectures).toEqual(['BertForSequenceClassification']);
      expect(Object.keys(config.id2label)).toHaveLength(spec.labels);
      expect(Object.keys(config.label2id)).toHaveLength(spec.labels);
    });

    it('declares the optimum export signature', () => {
      const inputs = session.inputMetadata.map((m) => (m.isTensor ? [m.name, m.type, m.shape] : [m.name]));
      const dynamic = ['batch_size', 'sequence_length'];
      expect(inputs).toEqual([
        ['input_ids', 'int64', dynamic],
        ['attention_mask', 'int64', dynamic],
        ...(spec.tokenTypes ? [['token_type_ids', 'int64', dynamic]] : []),
      ]);
      const outputs = session.outputMetadata.map((m) => (m.isTensor ? [m.name, m.type, m.shape] : [m.name]));
      expect(outputs).toEqual([['logits', 'float32', ['batch_size', spec.labels]]]);
    });

    it('gives a pair the same logits alone and padded in a batch with a longer pair', async () => {
      const [shortRow, longRow] = await encode(dir, [pairs[2] as TextPair, pairs[6] as TextPair]);
      if (!shortRow || !longRow) throw new Error('encode returned too few rows');
      expect(longRow.ids.length).toBeGreaterThan(shortRow.ids.length + 20);
      const [alone] = await runBatch(session, [shortRow], spec.labels);
      const [padded, long] = await runBatch(session, [shortRow, longRow], spec.labels);
      const [longAlone] = await runBatch(session, [longRow], spec.labels);
      expect(maxAbsDiff(alone!, padded!)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(longAlone!, long!)).toBeLessThanOrEqual(1e-5);
      expect(alone).toHaveLength(spec.labels);
    });

    it('changes its output for a wrong token, mask or type id by far more than the parity tolerance', async () => {
      const rows = await encode(dir, pairs.slice(0, 10));
      const perturbations: Record<string, (r: Encoded) => Encoded> = {
        token: (r) => ({ ...r, ids: r.ids.map((v, i) => (i === 5 ? v + 1 : v)) }),
        // Padding fed without masking it must change the score (the mask is not a no-op).
        mask: (r) => ({ ids: [...r.ids, 0, 0, 0], mask: [...r.mask, 1, 1, 1], types: [...r.types, 0, 0, 0] }),
      };
      if (spec.tokenTypes) perturbations.type = (r) => ({ ...r, types: r.types.map(() => 0) });
      for (const [kind, perturb] of Object.entries(perturbations)) {
        const changes: number[] = [];
        for (const row of rows) {
          const [base] = await runBatch(session, [row], spec.labels);
          const [changed] = await runBatch(session, [perturb(row)], spec.labels);
          changes.push(maxAbsDiff(base!, changed!));
        }
        changes.sort((x, y) => x - y);
        expect(changes[0], `${kind}: smallest change`).toBeGreaterThan(1e-4);
        expect(changes[changes.length >> 1], `${kind}: median change`).toBeGreaterThan(1e-2);
      }
    });
  });
}

describe('score spread over ordinary pairs', () => {
  for (const name of ['minilm-l6', 'tiny']) {
    it(`${name}: standard deviation of the logits over 200 pairs is at least 0.5`, async () => {
      const scores = await referenceScores(path.join(GENERATED, name), pairs);
      expect(scores).toHaveLength(200);
      expect(std(scores.map((s) => s[0] as number))).toBeGreaterThanOrEqual(0.5);
    });
  }

  it('tiny-3-labels: the reference returns 3 logits per pair, each label varying', async () => {
    const scores = await referenceScores(path.join(GENERATED, 'tiny-3-labels'), pairs.slice(0, 50));
    for (const s of scores) expect(s).toHaveLength(3);
    for (let label = 0; label < 3; label++) {
      expect(std(scores.map((s) => s[label] as number))).toBeGreaterThanOrEqual(0.5);
    }
  });
});

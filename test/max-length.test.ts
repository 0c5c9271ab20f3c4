// Default max length: sentence-transformers' precedence (sentence_bert_config > tokenizer_config > positions), capped by
// the positions a model can address (XLM-R's 514 learned positions start at padding_idx + 1, leaving 512).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { modelMaxLength, usablePositions } from '../src/max-length';
import { TINY, cloneModel } from './helpers/models';

// config.json facts of published rerankers (model cards / hub configs).
const BGE_RERANKER_BASE = { model_type: 'xlm-roberta', max_position_embeddings: 514, pad_token_id: 1 };
const JINA_RERANKER_V2 = { model_type: 'XLMRoberta', max_position_embeddings: 1026, pad_token_id: 1 };
const GTE_MODERNBERT = { model_type: 'modernbert', max_position_embeddings: 8192, pad_token_id: 50283 };
const MS_MARCO = { model_type: 'bert', max_position_embeddings: 512, pad_token_id: 0 };
const MXBAI_XSMALL = { model_type: 'deberta-v2', max_position_embeddings: 512, pad_token_id: 0 };
const NO_LIMIT = { model_max_length: 1e30 };

describe('usablePositions', () => {
  it('subtracts padding_idx + 1 for RoBERTa-style families only', () => {
    expect(usablePositions(BGE_RERANKER_BASE)).toBe(512);
    expect(usablePositions(JINA_RERANKER_V2)).toBe(1024);
    expect(usablePositions(GTE_MODERNBERT)).toBe(8192);
    expect(usablePositions(MS_MARCO)).toBe(512);
    expect(usablePositions(MXBAI_XSMALL)).toBe(512);
    expect(usablePositions({})).toBeUndefined();
  });
});

describe('modelMaxLength', () => {
  it("takes tokenizer_config's model_max_length, capped by the usable positions", () => {
    expect(modelMaxLength(BGE_RERANKER_BASE, { model_max_length: 512 }, {})).toBe(512);
    expect(modelMaxLength(BGE_RERANKER_BASE, { model_max_length: 514 }, {})).toBe(512);
    expect(modelMaxLength(GTE_MODERNBERT, { model_max_length: 8192 }, {})).toBe(8192);
    expect(modelMaxLength(MS_MARCO, { model_max_length: 256 }, {})).toBe(256);
  });

  it('falls back to the usable positions when the tokenizer states no limit, then to 512', () => {
    expect(modelMaxLength(BGE_RERANKER_BASE, NO_LIMIT, {})).toBe(512);
    expect(modelMaxLength(JINA_RERANKER_V2, {}, {})).toBe(1024);
    expect(modelMaxLength({}, NO_LIMIT, {})).toBe(512);
  });

  it("prefers sentence_bert_config.json's max_seq_length over the tokenizer's", () => {
    expect(modelMaxLength(MS_MARCO, { model_max_length: 512 }, { max_seq_length: 128 })).toBe(128);
    expect(modelMaxLength(BGE_RERANKER_BASE, { model_max_length: 512 }, { max_seq_length: 8192 })).toBe(512);
  });
});

describe('CrossEncoder.load', () => {
  const open: CrossEncoder[] = [];
  afterAll(async () => {
    await Promise.all(open.map((m) => m.close()));
  });

  it("reads sentence_bert_config.json's max_seq_length and rejects maxLength beyond the positions", async () => {
    const dir = cloneModel(TINY, (d) => fs.writeFileSync(path.join(d, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 100 })));
    const model = await CrossEncoder.load(dir);
    open.push(model);
    expect(model.maxLength).toBe(100);
    await expect(CrossEncoder.load(dir, { maxLength: 513 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });
});

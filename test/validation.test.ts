// Front-door validation: wrong types and values are rejected with a stable code and a message naming the option.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { TINY } from './helpers/models';

let model: CrossEncoder;
beforeAll(async () => {
  model = await CrossEncoder.load(TINY);
});
afterAll(() => model?.close());

const sparse = [['a', 'b']] as unknown[];
sparse.length = 3;

describe('score() arguments', () => {
  it.each([
    ['undefined', undefined, 'pairs', 'ERR_INVALID_ARG_TYPE'],
    ['a number', 42, 'pairs', 'ERR_INVALID_ARG_TYPE'],
    ['an object', { 0: ['a', 'b'] }, 'pairs', 'ERR_INVALID_ARG_TYPE'],
    ['a string', 'ab', 'pairs', 'ERR_INVALID_ARG_TYPE'],
    ['a sparse array', sparse, 'pairs[1]', 'ERR_INVALID_ARG_TYPE'],
    ['a 1-tuple', [['a']], 'pairs[0]', 'ERR_INVALID_ARG_TYPE'],
    ['a 3-tuple', [['a', 'b', 'c']], 'pairs[0]', 'ERR_INVALID_ARG_TYPE'],
    ['a non-string text', [['a', 1]], 'pairs[0][1]', 'ERR_INVALID_ARG_TYPE'],
    ['a null text', [[null, 'b']], 'pairs[0][0]', 'ERR_INVALID_ARG_TYPE'],
  ])('rejects %s', async (_label, pairs, name, code) => {
    await expect(model.score(pairs as never)).rejects.toMatchObject({
      name: 'CrossrankTypeError',
      code,
      message: expect.stringContaining(`for ${name} but received`),
    });
  });

  it.each([
    [{ activation: 'tanh' }, 'options.activation', 'ERR_OUT_OF_RANGE'],
    [{ activation: 1 }, 'options.activation', 'ERR_INVALID_ARG_TYPE'],
    [{ truncation: 'only_middle' }, 'options.truncation', 'ERR_OUT_OF_RANGE'],
    [{ signal: {} }, 'options.signal', 'ERR_INVALID_ARG_TYPE'],
    [{ batchSize: 8 }, 'options.batchSize', 'ERR_UNKNOWN_OPTION'],
    ['fast', 'options', 'ERR_INVALID_ARG_TYPE'],
  ])('rejects the options %j', async (options, name, code) => {
    await expect(model.score([['a', 'b']], options as never)).rejects.toMatchObject({
      code,
      message: expect.stringContaining(name),
    });
  });
});

describe('rank() arguments', () => {
  it.each([
    [[1, ['a']], 'query', 'ERR_INVALID_ARG_TYPE'],
    [['q', 'abc'], 'documents', 'ERR_INVALID_ARG_TYPE'],
    [['q', ['a', 2]], 'documents[1]', 'ERR_INVALID_ARG_TYPE'],
    [['q', ['a'], { topK: 0 }], 'options.topK', 'ERR_OUT_OF_RANGE'],
    [['q', ['a'], { topK: 1.5 }], 'options.topK', 'ERR_INVALID_ARG_TYPE'],
    [['q', ['a'], { returnDocuments: 'yes' }], 'options.returnDocuments', 'ERR_INVALID_ARG_TYPE'],
    [['q', ['a'], { top_k: 3 }], 'options.top_k', 'ERR_UNKNOWN_OPTION'],
  ])('rejects %j', async (args, name, code) => {
    const [query, documents, options] = args as [string, string[], object];
    await expect(model.rank(query, documents, options as never)).rejects.toMatchObject({
      code,
      message: expect.stringContaining(name),
    });
  });
});

describe('load() arguments', () => {
  it.each([
    [{ maxLength: 2 }, 'options.maxLength', 'ERR_OUT_OF_RANGE'],
    [{ maxLength: 513 }, 'options.maxLength', 'ERR_OUT_OF_RANGE'],
    [{ maxLength: '128' }, 'options.maxLength', 'ERR_INVALID_ARG_TYPE'],
    [{ threads: -1 }, 'options.threads', 'ERR_OUT_OF_RANGE'],
    [{ activation: 'relu' }, 'options.activation', 'ERR_OUT_OF_RANGE'],
    [{ executionProviders: 'cpu' }, 'options.executionProviders', 'ERR_INVALID_ARG_TYPE'],
    [{ executionProviders: ['metal'] }, 'options.executionProviders[0]', 'ERR_OUT_OF_RANGE'],
    [{ batching: { maxBatchSize: 0 } }, 'options.batching.maxBatchSize', 'ERR_OUT_OF_RANGE'],
    [{ batching: { maxBatchTokens: 1.5 } }, 'options.batching.maxBatchTokens', 'ERR_INVALID_ARG_TYPE'],
    [{ batching: { size: 3 } }, 'options.batching.size', 'ERR_UNKNOWN_OPTION'],
    [{ modelFile: '' }, 'options.modelFile', 'ERR_OUT_OF_RANGE'],
    [{ gpu: true }, 'options.gpu', 'ERR_UNKNOWN_OPTION'],
  ])('rejects %j', async (options, name, code) => {
    await expect(CrossEncoder.load(TINY, options as never)).rejects.toMatchObject({
      code,
      message: expect.stringContaining(name),
    });
  });

  it('rejects a model path that is not a string', async () => {
    await expect(CrossEncoder.load(undefined as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(CrossEncoder.load('')).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });
});

describe('unusual text scores normally', () => {
  const big = 'lorem ipsum dolor '.repeat(600_000);
  const planes = Array.from({ length: 17 }, (_, p) => String.fromCodePoint(p * 0x10000 + 0x41)).join(' ');
  it.each([
    ['empty strings', ['', '']],
    ['10 MB texts', [big, big]],
    ['NULs', ['\0\0\0', 'a\0b']],
    ['control characters', ['\u0001\u0007\u001b[31m', '\u0085\u2028\u2029']],
    ['lone surrogates', ['\ud800abc', 'x\udfff']],
    ['every Unicode plane', [planes, planes]],
  ])('%s', async (_label, pair) => {
    const [score] = await model.score([pair as [string, string]]);
    expect(Number.isFinite(score)).toBe(true);
  });
});

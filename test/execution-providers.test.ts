// GPU options on a CPU machine: validation, coded provider-unavailable errors, the fallback rule, length buckets.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { bundledOrtLibrary } from '../src/ort-library';
import { ordinaryPairs } from './helpers/pairs';
import { MINILM, TINY, maxAbsDiff } from './helpers/models';

const library = bundledOrtLibrary() ?? '';
// CI installs onnxruntime-node without its CUDA files; a GPU machine with them skips the "unavailable" cases.
const cudaFilesPresent = fs.existsSync(path.join(path.dirname(library), 'libonnxruntime_providers_cuda.so'));
const open: CrossEncoder[] = [];
afterAll(async () => {
  await Promise.all(open.map((m) => m.close()));
});

describe.skipIf(cudaFilesPresent)('GPU providers unavailable', () => {
  it.each([['cuda'], ['tensorrt']])('%s: load rejects with ERR_PROVIDER_UNAVAILABLE saying what to install', async (name) => {
    await expect(CrossEncoder.load(TINY, { executionProviders: [name as 'cuda'] })).rejects.toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(
        new RegExp(`${name} execution provider cannot start.*libonnxruntime_providers_${name}\\.so.*ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node.*ortLibraryPath`),
      ),
    });
  });

  it('never falls back silently: without fallback a list ending in cpu still rejects', async () => {
    await expect(CrossEncoder.load(TINY, { executionProviders: ['cuda', 'cpu'] })).rejects.toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
    });
  });

  it("with fallback: true and 'cpu' last, loads on CPU and reports it", async () => {
    const model = await CrossEncoder.load(TINY, { executionProviders: ['tensorrt', 'cuda', 'cpu'], fallback: true });
    open.push(model);
    expect(model.executionProvider).toBe('cpu');
    expect(model.fallbackReason).toMatch(/tensorrt execution provider cannot start/);
    expect((await model.score([['a', 'b']])).length).toBe(1);
  });
});

describe('provider options', () => {
  it('a plain CPU load reports cpu and no fallback', async () => {
    const model = await CrossEncoder.load(TINY);
    open.push(model);
    expect(model.executionProvider).toBe('cpu');
    expect(model.fallbackReason).toBeUndefined();
  });

  it.each([
    [{ executionProviders: ['cuda'], fallback: true }, 'options.executionProviders', 'ERR_OUT_OF_RANGE'],
    [{ executionProviders: ['cuda', 'cuda'] }, 'options.executionProviders[1]', 'ERR_OUT_OF_RANGE'],
    [{ executionProviders: [{ name: 'cuda', deviceId: -1 }] }, 'options.executionProviders[0].deviceId', 'ERR_OUT_OF_RANGE'],
    [{ executionProviders: [{ name: 'cuda', cudaGraph: 'yes' }] }, 'options.executionProviders[0].cudaGraph', 'ERR_INVALID_ARG_TYPE'],
    [{ executionProviders: [{ name: 'cuda', fp16: true }] }, 'options.executionProviders[0].fp16', 'ERR_UNKNOWN_OPTION'],
    [{ executionProviders: [{ name: 'tensorrt', engineCacheDir: '' }] }, 'options.executionProviders[0].engineCacheDir', 'ERR_OUT_OF_RANGE'],
    [{ executionProviders: [{ name: 'rocm' }] }, 'options.executionProviders[0].name', 'ERR_OUT_OF_RANGE'],
    [{ executionProviders: [7] }, 'options.executionProviders[0]', 'ERR_INVALID_ARG_TYPE'],
    [{ fallback: 1 }, 'options.fallback', 'ERR_INVALID_ARG_TYPE'],
    [{ batching: { lengthBucket: 0 } }, 'options.batching.lengthBucket', 'ERR_OUT_OF_RANGE'],
    [{ batching: { maxInflightBatches: 9 } }, 'options.batching.maxInflightBatches', 'ERR_OUT_OF_RANGE'],
  ])('rejects %j', async (options, name, code) => {
    await expect(CrossEncoder.load(TINY, options as never)).rejects.toMatchObject({ code, message: expect.stringContaining(name) });
  });
});

describe('batches in flight', () => {
  it('two batches in flight score like one, under concurrent callers, and close cleanly while running', async () => {
    const pairs = ordinaryPairs(400, 19);
    const one = await CrossEncoder.load(MINILM, { batching: { maxBatchSize: 8 } });
    const two = await CrossEncoder.load(MINILM, { batching: { maxBatchSize: 8, maxInflightBatches: 2 } });
    open.push(one, two);
    expect([one.hostMemory, two.hostMemory]).toEqual(['heap', 'heap']); // pinned memory is for GPU providers
    const reference = await one.score(pairs);
    const slices = Array.from({ length: 20 }, (_, i) => pairs.slice(i * 20, (i + 1) * 20));
    const results = await Promise.all(slices.map((slice) => two.score(slice)));
    expect(maxAbsDiff(Float32Array.from(results.flatMap((r) => Array.from(r))), reference)).toBeLessThanOrEqual(1e-5);
    const pending = slices.map((slice) => two.score(slice).then(() => 'scored', (error: { code: string }) => error.code));
    await two.close();
    for (const outcome of await Promise.all(pending)) expect(['scored', 'ERR_CLOSED']).toContain(outcome);
  });
});

describe('length buckets', () => {
  it('bucketed batches score like unbucketed ones within 1e-5', async () => {
    const pairs = ordinaryPairs(300, 17);
    const plain = await CrossEncoder.load(MINILM);
    const bucketed = await CrossEncoder.load(MINILM, { batching: { lengthBucket: 32 } });
    open.push(plain, bucketed);
    const [a, b] = await Promise.all([plain.score(pairs), bucketed.score(pairs)]);
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-5);
  });
});

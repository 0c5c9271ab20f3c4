// Load errors, close(), abort signals and queue overload: each rejects with a stable code.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { ordinaryPairs } from './helpers/pairs';
import { MINILM, TINY, cloneModel } from './helpers/models';

describe('load errors', () => {
  it('a missing model folder names the path and what to do', async () => {
    const missing = path.join(os.tmpdir(), 'crossrank-no-such-model');
    await expect(CrossEncoder.load(missing)).rejects.toMatchObject({
      code: 'ERR_MODEL_NOT_FOUND',
      message: expect.stringMatching(new RegExp(`${missing}.*does not exist.*onnx/model\\.onnx`)),
    });
  });

  it('a folder without onnx/model.onnx names both places looked at', async () => {
    const dir = cloneModel(TINY, (d) => fs.rmSync(path.join(d, 'onnx'), { recursive: true }));
    await expect(CrossEncoder.load(dir)).rejects.toMatchObject({
      code: 'ERR_MODEL_NOT_FOUND',
      message: expect.stringMatching(/onnx\/model\.onnx and model\.onnx.*modelFile/),
    });
  });

  it('an ONNX Runtime library path that does not exist names the path', async () => {
    const bad = path.join(os.tmpdir(), 'no-such-dir', 'libonnxruntime.so.1');
    await expect(CrossEncoder.load(TINY, { ortLibraryPath: bad })).rejects.toMatchObject({
      code: 'ERR_ORT_LOAD',
      message: expect.stringMatching(new RegExp(`${bad}.*does not exist.*ortLibraryPath`)),
    });
  });

  it('a corrupt ONNX file is a coded load error', async () => {
    const dir = cloneModel(TINY, (d) => {
      fs.rmSync(path.join(d, 'onnx', 'model.onnx'));
      fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), 'not a model');
    });
    await expect(CrossEncoder.load(dir)).rejects.toMatchObject({ code: 'ERR_MODEL_LOAD', message: expect.stringContaining(dir) });
  });
});

describe('close', () => {
  it('is idempotent, and score after close rejects with ERR_CLOSED', async () => {
    const model = await CrossEncoder.load(TINY);
    await model.close();
    await model.close();
    await expect(model.score([['a', 'b']])).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(model.rank('a', ['b'])).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('rejects calls still queued with ERR_CLOSED; nothing crashes', async () => {
    const model = await CrossEncoder.load(MINILM);
    const pairs = ordinaryPairs(400, 5);
    const calls = Array.from({ length: 8 }, () => model.score(pairs).then(() => 'ok', (e: { code: string }) => e.code));
    await new Promise((r) => setTimeout(r, 50));
    await model.close();
    const outcomes = await Promise.all(calls);
    expect(outcomes).toContain('ERR_CLOSED');
    expect(outcomes.every((o) => o === 'ok' || o === 'ERR_CLOSED')).toBe(true);
  });

  it('works with await using (Symbol.asyncDispose)', async () => {
    const model = await CrossEncoder.load(TINY);
    await model[Symbol.asyncDispose]();
    await expect(model.score([['a', 'b']])).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});

describe('abort and overload', () => {
  it('an aborted signal rejects with ERR_ABORTED and other calls still complete', async () => {
    const model = await CrossEncoder.load(MINILM);
    const pairs = ordinaryPairs(300, 9);
    const controller = new AbortController();
    const aborted = model.score(pairs, { signal: controller.signal });
    const other = model.score(pairs.slice(0, 10));
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED', name: 'AbortError' });
    expect((await other).length).toBe(10);
    await expect(model.score(pairs, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await model.close();
  });

  it('maxQueuedPairs rejects new work with ERR_QUEUE_FULL instead of queueing without bound', async () => {
    const model = await CrossEncoder.load(TINY, { batching: { maxQueuedPairs: 100 } });
    const pairs = ordinaryPairs(80, 2);
    const first = model.score(pairs);
    await expect(model.score(pairs)).rejects.toMatchObject({ code: 'ERR_QUEUE_FULL', message: expect.stringContaining('maxQueuedPairs') });
    expect((await first).length).toBe(80);
    expect((await model.score(pairs)).length).toBe(80);
    await model.close();
  });
});

describe('event loop', () => {
  // Event-loop utilization counts the main thread's busy time, not the wall clock, so a loaded machine cannot fail it;
  // the blocking control proves the measure would catch scoring that ran on the main thread.
  it('stays mostly idle while 2,000 pairs are scored, unlike a call that blocks it', async () => {
    const model = await CrossEncoder.load(MINILM);
    const pairs = ordinaryPairs(2000, 21);
    const before = performance.eventLoopUtilization();
    const scores = await model.score(pairs);
    const during = performance.eventLoopUtilization(before);
    await model.close();
    expect(scores.length).toBe(2000);

    const blockedFrom = performance.eventLoopUtilization();
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        const until = process.cpuUsage().user + 200_000;
        while (process.cpuUsage().user < until); // 200 ms of main-thread CPU, however long that takes here
        resolve();
      });
    });
    const blocked = performance.eventLoopUtilization(blockedFrom);
    expect(blocked.utilization).toBeGreaterThan(0.9);
    expect(during.utilization).toBeLessThan(0.5);
  });
});

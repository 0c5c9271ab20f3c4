// Process-level behaviour: exit with work in flight, worker_threads, several models sharing one ONNX Runtime.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { ordinaryPairs } from './helpers/pairs';
import { TINY, TINY_3_LABELS, TINY_NO_TYPES, maxAbsDiff } from './helpers/models';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

function runChild(mode: string): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const child = spawnSync(tsx, [path.join(__dirname, 'fixtures', 'exit-with-work.ts'), mode], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: child.status, signal: child.signal, stderr: child.stderr };
}

describe('process exit with work in flight', () => {
  it('process.exit() returns promptly with its code, no crash', () => {
    const child = runChild('exit');
    expect(child.signal).toBeNull();
    // The child queued minutes of scoring: a status of 7 (not a kill by the 60 s guard) means exit did not wait for it.
    expect(child.status).toBe(7);
  });

  it('an uncaught exception exits with code 1, no crash', () => {
    const child = runChild('throw');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('boom');
  });
});

describe('close() with calls still queued for the threadpool', () => {
  it('settles every call as scored or ERR_CLOSED, with no crash, over 40 load/close rounds', () => {
    const child = spawnSync(tsx, [path.join(__dirname, 'fixtures', 'close-while-queued.ts'), '40'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.signal).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const outcomes = JSON.parse(child.stdout) as Record<string, number>;
    expect(Object.keys(outcomes).sort()).toEqual(expect.arrayContaining(['ERR_CLOSED']));
    for (const key of Object.keys(outcomes)) expect(['scored', 'ERR_CLOSED']).toContain(key);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(40 * 60);
  });
});

describe('worker_threads', () => {
  it('several workers, several models each, score like the main thread', async () => {
    const pairs = ordinaryPairs(40, 13);
    const dirs = [TINY, TINY_NO_TYPES, TINY];
    const expected = await Promise.all(
      dirs.map(async (dir) => {
        const model = await CrossEncoder.load(dir, { threads: 1 });
        const scores = await model.score(pairs);
        await model.close();
        return scores;
      }),
    );
    const results = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<number[][]>((resolve, reject) => {
            // The worker registers tsx's CommonJS hook, then runs the TypeScript fixture.
            const fixture = path.join(__dirname, 'fixtures', 'worker-scoring.ts');
            const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(fixture)});`, {
              eval: true,
              workerData: { dirs, pairs },
            });
            worker.once('message', (m: number[][]) => {
              void worker.terminate();
              resolve(m);
            });
            worker.once('error', reject);
          }),
      ),
    );
    for (const perWorker of results) perWorker.forEach((scores, i) => expect(maxAbsDiff(scores, expected[i]!)).toBeLessThanOrEqual(1e-5));
  });

  it('two models in one process share the one ONNX Runtime', async () => {
    const a = await CrossEncoder.load(TINY);
    const b = await CrossEncoder.load<Float32Array[]>(TINY_3_LABELS);
    expect(a.runtime).toEqual(b.runtime);
    const [sa, sb] = await Promise.all([a.score([['x', 'y']]), b.score([['x', 'y']])]);
    expect(sa.length).toBe(1);
    expect(sb[0]!.length).toBe(3);
    await Promise.all([a.close(), b.close()]);
  });
});

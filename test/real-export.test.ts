// optimize: true on graphs exported by transformers + torch.onnx themselves (eager and sdpa attention), where Python has them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { decodeModel } from '../src/quantize/onnx-proto';
import { TINY, maxAbsDiff } from './helpers/models';
import { ordinaryPairs } from './helpers/pairs';

/** CROSSRANK_TORCH_PYTHON, else python3, when it imports torch, transformers and onnx. */
function torchPython(): string | undefined {
  const python = process.env.CROSSRANK_TORCH_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import torch, transformers, onnx'], { stdio: 'ignore' });
  return probe.status === 0 ? python : undefined;
}

const python = torchPython();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-real-export-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(python === undefined)('optimize: true on transformers exports (needs Python with torch, transformers, onnx)', () => {
  it.each(['eager', 'sdpa'])('%s attention: both blocks fused, scores within 1e-4 of the export', async (attention) => {
    const dir = path.join(scratch, attention);
    const script = path.resolve(__dirname, '..', 'models', 'export-hf.py');
    const run = spawnSync(python as string, [script, TINY, dir, attention], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const pairs = ordinaryPairs(300, 21);
    const plain = await CrossEncoder.load(dir, { activation: 'identity' });
    const fused = await CrossEncoder.load(dir, { activation: 'identity', optimize: true });
    try {
      expect(fused.optimized).toBe(true);
      const ops = decodeModel(fs.readFileSync(fused.modelPath)).graph?.node.map((n) => n.opType) ?? [];
      expect(ops.filter((op) => op === 'Attention')).toHaveLength(2);
      expect(ops).not.toContain('Softmax');
      const reference = await plain.score(pairs);
      expect(Math.max(...reference) - Math.min(...reference)).toBeGreaterThan(0.5);
      expect(maxAbsDiff(await fused.score(pairs), reference)).toBeLessThanOrEqual(1e-4);
    } finally {
      await plain.close();
      await fused.close();
    }
  }, 120_000);
});

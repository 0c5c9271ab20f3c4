// quantize: 'int8' fidelity: figures in model.quantization that survive a reload, targets validated and honoured, external data.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { writeExternalData } from '../src/quantize/external-data';
import { readModel } from '../src/quantize/onnx-proto';
import { GENERATED, TINY, maxAbsDiff } from './helpers/models';
import { ordinaryPairs } from './helpers/pairs';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of tiny's folder; with `external`, its weights moved to onnx/model.onnx_data (initializers of 1 KiB and more). */
async function copyTiny(external: boolean): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-fidelity-'));
  scratch.push(dir);
  for (const entry of fs.readdirSync(TINY, { withFileTypes: true })) if (entry.isFile()) fs.copyFileSync(path.join(TINY, entry.name), path.join(dir, entry.name));
  fs.mkdirSync(path.join(dir, 'onnx'));
  const source = fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx'));
  const target = path.join(dir, 'onnx', 'model.onnx');
  fs.writeFileSync(target, external ? await writeExternalData(readModel(source), path.join(dir, 'onnx', 'model.onnx_data')) : source);
  return dir;
}

describe('int8 fidelity', () => {
  it('measures the default int8 model on the probes, keeps the figures in the cached file and reads them back on reload', async () => {
    const dir = await copyTiny(false);
    const first = await CrossEncoder.load(dir, { quantize: 'int8' });
    await first.close();
    const q = first.quantization;
    expect(q).toBeDefined();
    expect(q?.spearman).toBeGreaterThanOrEqual(0.99);
    expect(q?.top10Overlap).toBeGreaterThanOrEqual(0.9);
    expect(q?.int8MatMuls).toBeGreaterThan(0);
    expect(q?.maxAbsDelta).toBeGreaterThanOrEqual(q?.meanAbsDelta ?? Infinity);
    const again = await CrossEncoder.load(dir, { quantize: 'int8' });
    await again.close();
    expect(again.modelPath).toBe(first.modelPath);
    expect(again.quantization).toEqual(q);
    const fp32 = await CrossEncoder.load(dir);
    await fp32.close();
    expect(fp32.quantization).toBeUndefined();
  });

  it('rejects an unreachable target with ERR_QUANTIZATION_FIDELITY and caches nothing; a lower target is honoured', async () => {
    const dir = await copyTiny(false);
    const cache = path.join(dir, 'cache');
    await expect(CrossEncoder.load(dir, { quantize: { type: 'int8', minSpearman: 1, minTopKOverlap: 1 }, modelCacheDir: cache })).rejects.toMatchObject({
      code: 'ERR_QUANTIZATION_FIDELITY',
      message: expect.stringMatching(/best model tried .* reached Spearman/),
    });
    expect(fs.readdirSync(cache)).toEqual([]);
    const low = await CrossEncoder.load(dir, { quantize: { type: 'int8', minSpearman: 0.5, minTopKOverlap: 0.5 }, modelCacheDir: cache });
    await low.close();
    expect(low.precision).toBe('int8');
    expect(low.quantization?.spearman).toBeGreaterThanOrEqual(0.5);
  });

  it('validates quantize', async () => {
    await expect(CrossEncoder.load(TINY, { quantize: { type: 'int8', minSpearman: 1.5 } })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: 'Expected a number from 0 to 1 for options.quantize.minSpearman but received 1.5 of type number',
    });
    await expect(CrossEncoder.load(TINY, { quantize: { type: 'int8', minTopKOverlap: '0.9' as unknown as number } })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    await expect(CrossEncoder.load(TINY, { quantize: { type: 'int8', topK: 3 } as never })).rejects.toMatchObject({ code: 'ERR_UNKNOWN_OPTION' });
  });

  it('runs, quantizes and optimizes a model whose weights are external data, scoring as the single-file model does', async () => {
    const inline = await copyTiny(false);
    const external = await copyTiny(true);
    expect(fs.statSync(path.join(external, 'onnx', 'model.onnx')).size).toBeLessThan(100_000);
    const pairs = ordinaryPairs(64, 3);
    const scores = async (dir: string, options: object) => {
      const model = await CrossEncoder.load(dir, { activation: 'identity', ...options });
      try {
        return { scores: await model.score(pairs), model };
      } finally {
        await model.close();
      }
    };
    for (const options of [{}, { quantize: 'int8' }, { optimize: true }, { optimize: true, quantize: 'int8' }]) {
      const a = await scores(inline, options);
      const b = await scores(external, options);
      expect(maxAbsDiff(a.scores, b.scores)).toBeLessThanOrEqual(1e-5);
      expect([b.model.precision, b.model.optimized]).toEqual([a.model.precision, a.model.optimized]);
      if (Object.keys(options).length > 0) expect(fs.existsSync(`${b.model.modelPath}_data`)).toBe(true);
    }
  });
});

/** Spearman's rho of two score lists (distinct values assumed: float logits of different pairs). */
function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ranks = (x: ArrayLike<number>): Float64Array => {
    const order = Array.from(x, (_, i) => i).sort((i, j) => (x[i] as number) - (x[j] as number));
    const r = new Float64Array(x.length);
    order.forEach((index, rank) => (r[index] = rank));
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += ((ra[i] as number) - mean) * ((rb[i] as number) - mean);
    da += ((ra[i] as number) - mean) ** 2;
    db += ((rb[i] as number) - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}

describe('int8 on models that per-batch int8 hurts (models/generate.ts: tiny-outlier, tiny-wide)', { timeout: 300_000 }, () => {
  // Held out: not the probe pairs the quantizer measured itself on.
  const heldOut = ordinaryPairs(800, 61);
  const heldOutSpearman = async (dir: string, quantize: NonNullable<Parameters<typeof CrossEncoder.load>[1]>['quantize'], cache: string) => {
    const fp32 = await CrossEncoder.load(dir, { activation: 'identity' });
    const int8 = await CrossEncoder.load(dir, { activation: 'identity', quantize, modelCacheDir: cache });
    try {
      return { model: int8, rho: spearman(await fp32.score(heldOut), await int8.score(heldOut)) };
    } finally {
      await fp32.close();
      await int8.close();
    }
  };

  it('wide weights: all-int8 misses the target, so more MatMuls stay fp32 than on tiny, and the result meets it on held-out pairs too', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-wide-'));
    scratch.push(cache);
    const plain = await CrossEncoder.load(TINY, { quantize: 'int8', modelCacheDir: cache });
    await plain.close();
    const { model, rho } = await heldOutSpearman(path.join(GENERATED, 'tiny-wide'), 'int8', cache);
    const q = model.quantization;
    expect(model.precision).toBe('int8');
    expect(q?.spearman).toBeGreaterThanOrEqual(0.99);
    expect(q?.top10Overlap).toBeGreaterThanOrEqual(0.9);
    expect(q?.fp32MatMuls).toBeGreaterThan(plain.quantization?.fp32MatMuls ?? Infinity);
    expect(q?.int8MatMuls).toBeGreaterThan(0);
    expect(rho).toBeGreaterThanOrEqual(0.98);
  });

  it('outlier channels: ERR_QUANTIZATION_FIDELITY with the best figures and nothing cached; an explicit lower target is met on held-out pairs', async () => {
    const dir = path.join(GENERATED, 'tiny-outlier');
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-outlier-'));
    scratch.push(cache);
    await expect(CrossEncoder.load(dir, { quantize: 'int8', modelCacheDir: cache })).rejects.toMatchObject({
      code: 'ERR_QUANTIZATION_FIDELITY',
      message: expect.stringMatching(/reached Spearman 0\.\d+, top-10 overlap \d+(\.\d)?%/),
    });
    expect(fs.readdirSync(cache)).toEqual([]);
    const { model, rho } = await heldOutSpearman(dir, { type: 'int8', minSpearman: 0.95, minTopKOverlap: 0.8 }, cache);
    expect(model.precision).toBe('int8');
    expect(model.quantization?.spearman).toBeGreaterThanOrEqual(0.95);
    expect(rho).toBeGreaterThanOrEqual(0.95);
  });
});

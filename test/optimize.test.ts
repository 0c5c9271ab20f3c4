// optimize: true: attention blocks become one fused operator, scores stay within 1e-4, odd graphs are left or refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { fuseBert } from '../src/quantize/fuse-bert';
import { int8WeightType } from '../src/quantize/int8-weights';
import { decodeModel, encodeModel } from '../src/quantize/onnx-proto';
import { quantizeInt8 } from '../src/quantize/quantize-int8';
import { toFp16 } from '../models/to-fp16';
import { MINILM, TINY, TINY_3_LABELS, TINY_NO_TYPES, TINY_SDPA, cloneModel, maxAbsDiff } from './helpers/models';
import { ordinaryPairs } from './helpers/pairs';

const scratch: string[] = [];
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-optimize-'));
scratch.push(cacheDir);

afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

function opTypes(file: string): string[] {
  return decodeModel(fs.readFileSync(file)).graph?.node.map((n) => n.opType ?? '') ?? [];
}

/** A model folder like `source` whose onnx/model.onnx holds `bytes`. */
function withOnnx(source: string, bytes: Uint8Array, file = 'model.onnx'): string {
  const dir = cloneModel(source, (d) => {
    fs.rmSync(path.join(d, 'onnx', 'model.onnx')); // a link to the source's file: never write through it
    fs.writeFileSync(path.join(d, 'onnx', file), bytes);
  });
  scratch.push(dir);
  return dir;
}

async function scores(dir: string, options: Parameters<typeof CrossEncoder.load>[1], pairs: [string, string][]) {
  const model = await CrossEncoder.load<Float32Array | Float32Array[]>(dir, { activation: 'identity', modelCacheDir: cacheDir, ...options });
  try {
    const out = await model.score(pairs);
    return { model, flat: Float32Array.from((Array.isArray(out) ? out : [out]).flatMap((x) => Array.from(x))) };
  } finally {
    await model.close();
  }
}

describe('optimize: true', () => {
  it.each([
    ['minilm-l6', MINILM, 500],
    ['tiny', TINY, 300],
    ['tiny-no-token-types', TINY_NO_TYPES, 300],
    ['tiny-3-labels', TINY_3_LABELS, 300],
  ])('%s: every attention block fused, scores within 1e-4 of the unfused graph', async (_name, dir, n) => {
    const pairs = ordinaryPairs(n, 11);
    const plain = await scores(dir, {}, pairs);
    const fused = await scores(dir, { optimize: true }, pairs);
    expect(plain.model.optimized).toBe(false);
    expect(fused.model.optimized).toBe(true);
    expect(fused.model.precision).toBe('fp32');
    const ops = opTypes(fused.model.modelPath);
    expect(ops.filter((op) => op === 'Attention').length).toBe(opTypes(plain.model.modelPath).filter((op) => op === 'Softmax').length);
    expect(ops).not.toContain('Softmax');
    expect(maxAbsDiff(fused.flat, plain.flat)).toBeLessThanOrEqual(1e-4);
  });

  it('fuses attention written as torch.onnx exports scaled_dot_product_attention (same weights as tiny)', async () => {
    const pairs = ordinaryPairs(300, 12);
    const eager = await scores(TINY, {}, pairs);
    const sdpa = await scores(TINY_SDPA, { optimize: true }, pairs);
    expect(opTypes(path.join(TINY_SDPA, 'onnx', 'model.onnx'))).toContain('Where');
    expect(opTypes(sdpa.model.modelPath).filter((op) => op === 'Attention')).toHaveLength(2);
    expect(maxAbsDiff(sdpa.flat, eager.flat)).toBeLessThanOrEqual(1e-4);
  });

  it('leaves a block alone when a tensor inside it is read elsewhere', async () => {
    const model = decodeModel(fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx')));
    const graph = model.graph as NonNullable<typeof model.graph>;
    const softmax = graph.node.find((n) => n.opType === 'Softmax') as (typeof graph.node)[number];
    graph.output.push({ ...graph.output[0], name: softmax.output[0] });
    const result = fuseBert(encodeModel(model));
    expect(result.attention).toBe(1);
    expect(decodeModel(result.bytes).graph?.node.map((n) => n.opType)).toContain('Softmax');
  });

  it('leaves a block alone when its mask does not come from attention_mask', () => {
    const model = decodeModel(fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx')));
    const graph = model.graph as NonNullable<typeof model.graph>;
    const mask = graph.node.find((n) => n.opType === 'Cast' && n.input[0] === 'attention_mask') as (typeof graph.node)[number];
    mask.input[0] = 'input_ids'; // a mask derived from something else: not a padding mask the fused kernel may assume
    expect(fuseBert(encodeModel(model)).attention).toBe(0);
  });

  it('refuses, and caches nothing, when the fused graph scores differently (a mask that is not a padding mask)', async () => {
    const model = decodeModel(fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx')));
    const graph = model.graph as NonNullable<typeof model.graph>;
    const sub = graph.node.find((n) => n.opType === 'Sub') as (typeof graph.node)[number];
    // (1 - mask) * -big becomes mask * -big: the real tokens are masked out instead of the padding.
    for (const node of graph.node) node.input = node.input.map((i) => (i === sub.output[0] ? (sub.input[1] as string) : i));
    const dir = withOnnx(TINY, encodeModel(model));
    const own = path.join(dir, 'cache');
    await expect(CrossEncoder.load(dir, { optimize: true, modelCacheDir: own })).rejects.toMatchObject({
      code: 'ERR_NOT_OPTIMIZABLE',
      message: expect.stringMatching(/scores differently from the source/),
    });
    expect(fs.readdirSync(own)).toEqual([]);
  });

  it('refuses a graph with no attention block with ERR_NOT_OPTIMIZABLE', async () => {
    const model = decodeModel(fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx')));
    const graph = model.graph as NonNullable<typeof model.graph>;
    for (const node of graph.node) if (node.opType === 'Softmax') node.opType = 'Sigmoid';
    const dir = withOnnx(TINY, encodeModel(model));
    await expect(CrossEncoder.load(dir, { optimize: true, modelCacheDir: cacheDir })).rejects.toMatchObject({
      name: 'CrossrankError',
      code: 'ERR_NOT_OPTIMIZABLE',
      message: expect.stringMatching(/no self-attention block/),
    });
  });

  it('with quantize: int8, quantizes the fused graph (QAttention) and ranks as fp32 does', async () => {
    const pairs = ordinaryPairs(300, 13);
    const fp32 = await scores(TINY, {}, pairs);
    const int8 = await scores(TINY, { optimize: true, quantize: 'int8' }, pairs);
    expect(int8.model.precision).toBe('int8');
    expect(int8.model.optimized).toBe(true);
    const ops = opTypes(int8.model.modelPath);
    expect(ops).toContain('QAttention');
    expect(ops).toContain('Attention'); // the first layer's attention stays fp32
    expect(int8.flat.every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(int8.flat, fp32.flat)).toBeGreaterThan(0);
    expect(maxAbsDiff(int8.flat, fp32.flat)).toBeLessThan(1);
  });

  it('caches each derivation under its own name and reuses it', async () => {
    const dir = withOnnx(TINY, fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx')));
    const own = path.join(dir, 'cache');
    const paths: string[] = [];
    for (const options of [{ optimize: true }, { quantize: 'int8' as const }, { optimize: true, quantize: 'int8' as const }, { optimize: true }]) {
      const model = await CrossEncoder.load(dir, { ...options, modelCacheDir: own });
      paths.push(model.modelPath);
      await model.close();
    }
    // int8u: unsigned weights, chosen on CPUs without VNNI (src/quantize/int8-weights.ts).
    const int8 = int8WeightType() === 'uint8' ? 'int8u' : 'int8';
    expect(paths.map((p) => path.basename(p).split('.')[2])).toEqual(['fused', int8, `fused-${int8}`, 'fused']);
    expect(paths[3]).toBe(paths[0]);
    expect(fs.readdirSync(own).sort()).toEqual(paths.slice(0, 3).map((p) => path.basename(p)).sort());
  });

  it('reports precision and optimized from the file for pre-made graphs loaded through modelFile', async () => {
    const source = fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx'));
    const quantized = withOnnx(TINY, quantizeInt8(source).bytes, 'model_quantized.onnx');
    const optimized = withOnnx(TINY, fuseBert(source).bytes, 'model_optimized.onnx');
    const half = withOnnx(TINY, toFp16(source).bytes, 'model_fp16.onnx');
    const a = await CrossEncoder.load(quantized, { modelFile: 'onnx/model_quantized.onnx' });
    const b = await CrossEncoder.load(optimized, { modelFile: 'onnx/model_optimized.onnx' });
    const c = await CrossEncoder.load(half, { modelFile: 'onnx/model_fp16.onnx' });
    try {
      expect([a.precision, a.optimized]).toEqual(['int8', false]);
      expect([b.precision, b.optimized]).toEqual(['fp32', true]);
      expect([c.precision, c.optimized]).toEqual(['fp16', false]);
    } finally {
      await a.close();
      await b.close();
      await c.close();
    }
  });

  it('validates the option', async () => {
    await expect(CrossEncoder.load(TINY, { optimize: 'yes' as unknown as boolean })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
      message: 'Expected a boolean for options.optimize but received "yes" of type string',
    });
  });
});

// quantize: 'int8': the int8 graph loads and scores close to fp32, the cache is reused and invalidated, bad graphs are refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType, encodeModel as writeOnnx } from '../models/onnx-writer';
import { CrossEncoder } from '../src';
import { DataType as TensorType, decodeModel, encodeModel } from '../src/quantize/onnx-proto';
import { quantizeInt8 } from '../src/quantize/quantize-int8';
import { TINY } from './helpers/models';
import { ordinaryPairs } from './helpers/pairs';

const scratch: string[] = [];

/** A copy of a model folder with its own (writable, replaceable) onnx/model.onnx. */
function copyModel(source: string, onnx?: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-quantize-'));
  scratch.push(dir);
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    if (entry.isFile()) fs.copyFileSync(path.join(source, entry.name), path.join(dir, entry.name));
  }
  fs.mkdirSync(path.join(dir, 'onnx'));
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), onnx ?? fs.readFileSync(path.join(source, 'onnx', 'model.onnx')));
  return dir;
}

function spearman(a: Float32Array, b: Float32Array): number {
  const rank = (x: Float32Array) => {
    const r = new Float64Array(x.length);
    Array.from(x.keys())
      .sort((i, j) => (x[i] as number) - (x[j] as number))
      .forEach((index, position) => (r[index] = position));
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += ((ra[i] as number) - (rb[i] as number)) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

/** input_ids -> Cast -> ReduceSum -> MatMul(1x1 weight) -> logits: its only MatMul is the classifier head. */
function headOnlyGraph(): Buffer {
  return writeOnnx({
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'crossrank-test',
    producerVersion: '0',
    graph: {
      name: 'head-only',
      nodes: [
        { opType: 'Cast', inputs: ['input_ids'], outputs: ['ids_float'], name: 'cast', attributes: { to: { kind: 'int', value: DataType.FLOAT } } },
        { opType: 'ReduceSum', inputs: ['ids_float', 'axes'], outputs: ['summed'], name: 'sum', attributes: { keepdims: { kind: 'int', value: 1 } } },
        { opType: 'MatMul', inputs: ['summed', 'weight'], outputs: ['logits'], name: 'classifier' },
      ],
      initializers: [
        { name: 'axes', dataType: DataType.INT64, dims: [1], data: BigInt64Array.from([1n]) },
        { name: 'weight', dataType: DataType.FLOAT, dims: [1, 1], data: Float32Array.from([0.01]) },
      ],
      inputs: [
        { name: 'input_ids', elemType: DataType.INT64, shape: ['batch', 'sequence'] },
        { name: 'attention_mask', elemType: DataType.INT64, shape: ['batch', 'sequence'] },
      ],
      outputs: [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch', 1] }],
    },
  });
}

/** x [batch, 16] -> Gemm(transB, bias) -> Relu -> Gemm (the head) -> y [batch, 2]. */
function gemmGraph(weights: Float32Array): Buffer {
  return writeOnnx({
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'crossrank-test',
    producerVersion: '0',
    graph: {
      name: 'gemm',
      nodes: [
        { opType: 'Gemm', inputs: ['x', 'w1', 'b1'], outputs: ['h'], name: 'dense', attributes: { transB: { kind: 'int', value: 1 } } },
        { opType: 'Relu', inputs: ['h'], outputs: ['r'], name: 'relu' },
        { opType: 'Gemm', inputs: ['r', 'w2'], outputs: ['y'], name: 'head' },
      ],
      initializers: [
        { name: 'w1', dataType: DataType.FLOAT, dims: [8, 16], data: weights.subarray(0, 128) },
        { name: 'b1', dataType: DataType.FLOAT, dims: [8], data: weights.subarray(128, 136) },
        { name: 'w2', dataType: DataType.FLOAT, dims: [8, 2], data: weights.subarray(136, 152) },
      ],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 16] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['batch', 2] }],
    },
  });
}

afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe("quantize: 'int8'", () => {
  const pairs = ordinaryPairs(300, 5);

  it('scores with int8 weights, ranking pairs as fp32 does (Spearman >= 0.99)', async () => {
    const dir = copyModel(TINY);
    const fp32 = await CrossEncoder.load(dir, { activation: 'identity' });
    const int8 = await CrossEncoder.load(dir, { activation: 'identity', quantize: 'int8' });
    try {
      expect(fp32.precision).toBe('fp32');
      expect(int8.precision).toBe('int8');
      expect(path.dirname(int8.modelPath)).toBe(path.join(dir, '.crossrank-cache'));
      const reference = await fp32.score(pairs);
      const scores = await int8.score(pairs);
      expect(scores.every(Number.isFinite)).toBe(true);
      expect(scores).not.toEqual(reference);
      expect(spearman(scores, reference)).toBeGreaterThanOrEqual(0.99);
      const ranked = await int8.rank('black umbrella', ['a black umbrella', 'a red bicycle'], { topK: 1 });
      expect(ranked).toHaveLength(1);
    } finally {
      await fp32.close();
      await int8.close();
    }
  });

  it('rewrites weight MatMuls as DynamicQuantizeMatMul; the classifier head and the first attention projections stay fp32', () => {
    const result = quantizeInt8(fs.readFileSync(path.join(TINY, 'onnx', 'model.onnx')));
    const graph = decodeModel(result.bytes).graph;
    const ops = graph?.node.map((n) => n.opType) ?? [];
    expect(result.head).toHaveLength(1);
    expect(ops.filter((op) => op === 'DynamicQuantizeMatMul')).toHaveLength(result.quantized.length);
    expect(result.firstLayer).toHaveLength(4); // the first layer's query, key, value and attention output
    // What stays MatMul: attention's two activation products per layer, the classifier head, the first attention projections.
    expect(ops.filter((op) => op === 'MatMul').length).toBe(ops.filter((op) => op === 'Softmax').length * 2 + 1 + result.firstLayer.length);
    expect(ops).toContain('Gather');
  });

  it('quantizes a Gemm with transB and a bias, and the result runs close to fp32 (with the weight type this CPU gets, and unsigned)', async () => {
    const weights = Float32Array.from({ length: 152 }, (_, i) => Math.sin(i * 1.7) * 0.5);
    const source = gemmGraph(weights);
    for (const weightType of [undefined, 'uint8'] as const) {
      const result = quantizeInt8(source, { quantizeFirstLayer: true, weightType });
      expect(result.quantized).toEqual(['dense']);
      expect(result.head).toEqual(['head']);
      const tensors = decodeModel(result.bytes).graph?.initializer ?? [];
      const stored = tensors.find((t) => t.name === 'w1_transposed_int8_quantized');
      const zero = tensors.find((t) => t.name === 'w1_transposed_int8_zero_point');
      if (weightType === 'uint8') {
        expect([stored?.dataType, zero?.dataType]).toEqual([TensorType.UINT8, TensorType.UINT8]);
        expect([...(zero?.rawData ?? [])]).toEqual(new Array(8).fill(128));
      }
      await expectCloseToFp32(source, result.bytes);
    }
  });

  async function expectCloseToFp32(source: Uint8Array, bytes: Uint8Array): Promise<void> {
    const x = new ort.Tensor('float32', Float32Array.from({ length: 4 * 16 }, (_, i) => Math.cos(i * 0.37)), [4, 16]);
    const run = async (model: Uint8Array) => {
      const session = await ort.InferenceSession.create(model);
      const out = (await session.run({ x })).y?.data as Float32Array;
      await session.release();
      return out;
    };
    const reference = await run(source);
    const quantized = await run(bytes);
    for (let i = 0; i < reference.length; i++) expect(Math.abs((quantized[i] as number) - (reference[i] as number))).toBeLessThan(0.05);
  }

  it('takes the weight type from CROSSRANK_INT8_WEIGHTS when set, and rejects other values', async () => {
    const source = gemmGraph(Float32Array.from({ length: 152 }, (_, i) => Math.cos(i * 0.9) * 0.5));
    const saved = process.env.CROSSRANK_INT8_WEIGHTS;
    try {
      for (const [env, type] of [['uint8', TensorType.UINT8], ['int8', TensorType.INT8]] as const) {
        process.env.CROSSRANK_INT8_WEIGHTS = env;
        const tensors = decodeModel(quantizeInt8(source, { quantizeFirstLayer: true }).bytes).graph?.initializer ?? [];
        expect(tensors.find((t) => t.name === 'w1_transposed_int8_quantized')?.dataType).toBe(type);
      }
      process.env.CROSSRANK_INT8_WEIGHTS = 'int4';
      await expect(CrossEncoder.load(copyModel(TINY), { quantize: 'int8' })).rejects.toMatchObject({
        code: 'ERR_OUT_OF_RANGE',
        message: "Expected 'int8' or 'uint8' for CROSSRANK_INT8_WEIGHTS but received 'int4'",
      });
    } finally {
      if (saved === undefined) delete process.env.CROSSRANK_INT8_WEIGHTS;
      else process.env.CROSSRANK_INT8_WEIGHTS = saved;
    }
  });

  it('reuses the cached file on later loads and quantizes again when the source changes', async () => {
    const dir = copyModel(TINY);
    const cacheDir = path.join(dir, 'explicit-cache');
    const first = await CrossEncoder.load(dir, { quantize: 'int8', modelCacheDir: cacheDir });
    await first.close();
    expect(path.dirname(first.modelPath)).toBe(cacheDir);
    const written = fs.statSync(first.modelPath);

    const second = await CrossEncoder.load(dir, { quantize: 'int8', modelCacheDir: cacheDir });
    await second.close();
    expect(second.modelPath).toBe(first.modelPath);
    expect(fs.statSync(second.modelPath).mtimeMs).toBe(written.mtimeMs);
    expect(fs.statSync(second.modelPath).ino).toBe(written.ino);

    const source = path.join(dir, 'onnx', 'model.onnx');
    const model = decodeModel(fs.readFileSync(source));
    (model as { docString?: string }).docString = 'changed';
    fs.writeFileSync(source, encodeModel(model));
    const third = await CrossEncoder.load(dir, { quantize: 'int8', modelCacheDir: cacheDir });
    await third.close();
    expect(third.modelPath).not.toBe(first.modelPath);
    expect(fs.existsSync(first.modelPath)).toBe(false);
    expect(fs.readdirSync(cacheDir)).toEqual([path.basename(third.modelPath)]);
  });

  it('refuses a model whose only MatMul is the classifier head with ERR_NOT_QUANTIZABLE', async () => {
    const dir = copyModel(TINY, headOnlyGraph());
    const plain = await CrossEncoder.load(dir);
    await plain.close();
    await expect(CrossEncoder.load(dir, { quantize: 'int8' })).rejects.toMatchObject({
      name: 'CrossrankError',
      code: 'ERR_NOT_QUANTIZABLE',
      message: expect.stringMatching(/no MatMul or Gemm with a constant 2-D fp32 weight/),
    });
    expect(fs.readdirSync(path.join(dir, '.crossrank-cache'))).toEqual([]);
  });

  it('validates the options', async () => {
    await expect(CrossEncoder.load(TINY, { quantize: 'int4' as 'int8' })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: `Expected one of 'int8' for options.quantize but received "int4" of type string`,
    });
    await expect(CrossEncoder.load(TINY, { quantize: 'int8', modelCacheDir: '' })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
      message: 'Expected a non-empty string for options.modelCacheDir but received "" of type string',
    });
  });
});

// optimize: true on DeBERTa-v2: the relative-position MatMuls narrowed to the span their gathers read, scores unchanged.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src';
import { GraphIndex } from '../src/quantize/graph-index';
import { narrowRelativeGathers } from '../src/quantize/narrow-relative-gather';
import { DataType, makeTensor, readModel } from '../src/quantize/onnx-proto';
import { maxAbsDiff } from './helpers/models';
import { queryPassagePairs, shortPairs } from './helpers/pairs';

const DEBERTA = path.resolve(__dirname, '..', 'models', 'fixtures', 'deberta-v2');
const SOURCE = path.join(DEBERTA, 'onnx', 'model.onnx');
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-narrow-'));

afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

describe('narrowRelativeGathers', () => {
  it("narrows both gathers (c2p, p2c) of each of the fixture's 2 layers, slicing the positions before their Tile, once", () => {
    const model = readModel(fs.readFileSync(SOURCE));
    expect(narrowRelativeGathers(model)).toBe(4);
    const index = new GraphIndex(model.graph);
    const gathers = model.graph.node.filter((n) => n.opType === 'GatherElements');
    expect(gathers).toHaveLength(4);
    for (const gather of gathers) {
      const matmul = index.from(gather.input[0], 'MatMul');
      const tile = index.from(index.from(matmul?.input[1], 'Transpose')?.input[0], 'Tile');
      expect(index.from(tile?.input[0], 'Slice')).toBeDefined();
      // The index is expanded as int32, cast from the small [1, L, L] table.
      const cast = index.from(index.from(gather.input[1], 'Expand')?.input[0], 'Cast');
      expect(cast?.attribute.find((a) => a.name === 'to')?.i).toBe(DataType.INT32);
      // The shift sits under the Expand, on the small [1, L, L] table rather than the expanded index.
      let shifted = gather.input[1];
      for (const op of ['Expand', 'Cast', 'Squeeze']) shifted = index.from(shifted, 'Sub') ? shifted : index.from(shifted, op)?.input[0];
      expect(index.from(shifted, 'Sub')).toBeDefined();
    }
    // Every input is produced by an earlier node, an initializer or a graph input: the order is still topological.
    const known = new Set([...index.initializers.keys(), ...index.graphInputs, '']);
    for (const node of model.graph.node) {
      for (const input of node.input) expect(known.has(input), `${node.name} reads ${input}`).toBe(true);
      for (const output of node.output) known.add(output);
    }
    expect(narrowRelativeGathers(model)).toBe(0);
  });

  it('slices after the Tile when something else reads the repeated axis of its output', () => {
    const model = readModel(fs.readFileSync(SOURCE));
    const index = new GraphIndex(model.graph);
    const one = (name: string, value: bigint) => makeTensor(name, DataType.INT64, [1], new Uint8Array(BigInt64Array.of(value).buffer));
    model.graph.initializer.push(one('test_start', 1n), one('test_end', 2n));
    let edited = 0;
    for (const shape of model.graph.node.filter((n) => n.opType === 'Shape' && index.from(n.input[0], 'Tile'))) {
      for (const slice of index.consumers.get(shape.output[0] ?? '') ?? []) {
        slice.input[1] = 'test_start'; // now reads dimension 1: the positions
        slice.input[2] = 'test_end';
        edited++;
      }
    }
    expect(edited).toBe(4);
    expect(narrowRelativeGathers(model)).toBe(4);
    const after = new GraphIndex(model.graph);
    for (const gather of model.graph.node.filter((n) => n.opType === 'GatherElements')) {
      const transpose = after.from(after.from(gather.input[0], 'MatMul')?.input[1], 'Transpose');
      expect(after.from(transpose?.input[0], 'Slice')).toBeDefined();
    }
  });

  it('leaves a gather alone when its index may be negative (Clip lower bound below 0)', () => {
    const model = readModel(fs.readFileSync(SOURCE));
    const bound = makeTensor('test_negative_bound', DataType.INT64, [], new Uint8Array(BigInt64Array.of(-1n).buffer));
    model.graph.initializer.push(bound);
    for (const node of model.graph.node) if (node.opType === 'Clip') node.input[1] = 'test_negative_bound';
    expect(narrowRelativeGathers(model)).toBe(0);
  });

  it('optimize: true scores as the source does, short pairs to pairs cut at 512 tokens (log-bucketed distances)', async () => {
    const long: [string, string][] = shortPairs(24, 5).map(([query, passage]) => [query, Array(16).fill(passage).join(' ')]);
    const pairs = [...shortPairs(200, 3), ...queryPassagePairs(100, 4), ...long];
    const source = await CrossEncoder.load(DEBERTA, { activation: 'identity' });
    const optimized = await CrossEncoder.load(DEBERTA, { activation: 'identity', optimize: true, modelCacheDir: cacheDir });
    try {
      expect(source.optimized).toBe(false);
      expect(optimized.optimized).toBe(true);
      expect(optimized.modelPath).not.toBe(source.modelPath);
      expect(maxAbsDiff(await optimized.score(pairs), await source.score(pairs))).toBeLessThanOrEqual(1e-5);
    } finally {
      await source.close();
      await optimized.close();
    }
  });

  it("with quantize: 'int8', quantizes the narrowed graph and meets the default fidelity target", async () => {
    const model = await CrossEncoder.load(DEBERTA, { optimize: true, quantize: 'int8', modelCacheDir: cacheDir });
    try {
      expect(model.optimized).toBe(true);
      expect(model.precision).toBe('int8');
      expect(model.quantization?.spearman).toBeGreaterThanOrEqual(0.99);
      expect(model.quantization?.top10Overlap).toBeGreaterThanOrEqual(0.9);
    } finally {
      await model.close();
    }
  });
});

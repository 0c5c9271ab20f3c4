// Dynamic int8 quantization of an ONNX graph's constant MatMul / Gemm weights (per output channel), in TypeScript.
import { CrossrankError } from '../errors';
import { type WeightType, int8WeightType } from './int8-weights';
import { GraphIndex, numberAttribute, pruneInitializers, tensorValues } from './graph-index';
import {
  AttributeType,
  DataType,
  MS_DOMAIN,
  type NodeProto,
  type OnnxModel,
  type TensorProto,
  encodeModel,
  importMsDomain,
  int64,
  makeNode,
  makeTensor,
  readModel,
} from './onnx-proto';

/**
 * How a quantized MatMul runs. 'dynamic-quantize-matmul' (the default) is one com.microsoft DynamicQuantizeMatMul node
 * with the bias folded in; 'matmul-integer' is the standard-ONNX chain DynamicQuantizeLinear + MatMulInteger + Cast +
 * Mul (+ Add). Measured here (bench/quantize.ts --variants) both give identical scores at the same speed, since ONNX
 * Runtime fuses the chain into the same kernel; the single node does not depend on that fusion.
 */
export type QuantizeOperator = 'dynamic-quantize-matmul' | 'matmul-integer';

export interface QuantizeOptions {
  operator?: QuantizeOperator;
  /** Symmetric int8 weights (zero point 0, the default) or asymmetric (a zero point per output channel). */
  symmetric?: boolean;
  /** Also quantize the classifier head (the last MatMul / Gemm before each graph output). Default false. */
  quantizeHead?: boolean;
  /**
   * Also quantize the first encoder layer's attention projections (query, key, value, output). Default false: measured
   * on minilm-l6 (bench/quantize.ts), they cause most of the int8 error (Spearman vs fp32 0.983 with them int8, 0.993
   * without; rank() top-10 overlap 89% / 91%) for an eighteenth of the MatMul work.
   */
  quantizeFirstLayer?: boolean;
  /** Weights (by initializer name) to leave fp32. */
  keepFp32?: (weightName: string) => boolean;
  /** Nodes (by nodeKey: name, else first output) to leave fp32: what mixed precision keeps. */
  keepFp32Nodes?: ReadonlySet<string>;
  /** Quantized weights by name, filled and reused across runs over copies of one model (mixed precision's trials). */
  weightCache?: Map<string, Int8Weight>;
  /** Signed weights, or unsigned offset by 128 (for CPUs whose U8S8 kernels saturate). Default: int8WeightType(). */
  weightType?: WeightType;
}

/** A weight's int8 values and zero points as stored for `type`: unsigned ones are the signed ones plus 128. */
function storedWeight(values: Uint8Array, type: WeightType): { dataType: number; bytes: Uint8Array } {
  return type === 'uint8' ? { dataType: DataType.UINT8, bytes: values.map((b) => (b + 128) & 0xff) } : { dataType: DataType.INT8, bytes: values };
}

/** A node's stable name: its name, else its first output. */
export function nodeKey(node: NodeProto): string {
  return node.name || (node.output[0] ?? '');
}

export interface QuantizeResult {
  bytes: Uint8Array;
  /** Names of the nodes whose weights are now int8. */
  quantized: string[];
  /** Names of the classifier-head nodes left fp32. */
  head: string[];
  /** Names of the first encoder layer's attention projections, left fp32. */
  firstLayer: string[];
  /** Names of the other weight nodes left fp32 (keepFp32, keepFp32Nodes). */
  kept: string[];
}


/** One weight's int8 values with its per-channel scales and zero points. */
export interface Int8Weight {
  q: Uint8Array; // int8 values, K x N row-major
  scale: Float32Array; // N
  zeroPoint: Uint8Array; // N int8 values
}

/** fp32 values of an initializer held inside the file; undefined for external data or other types. */
function floatValues(tensor: TensorProto): Float32Array | undefined {
  const values = tensorValues(tensor)?.values;
  return values instanceof Float32Array ? values : undefined;
}

/** Per-column int8 quantization of a K x N matrix (column n = output channel n). */
function quantizeWeight(w: Float32Array, k: number, n: number, symmetric: boolean): Int8Weight {
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  for (let r = 0; r < k; r++) {
    const row = r * n;
    for (let c = 0; c < n; c++) {
      const x = w[row + c] as number;
      if (x < (min[c] as number)) min[c] = x;
      if (x > (max[c] as number)) max[c] = x;
    }
  }
  const scale = new Float32Array(n);
  const zero = new Int8Array(n);
  for (let c = 0; c < n; c++) {
    const lo = min[c] as number;
    const hi = max[c] as number;
    if (symmetric) {
      const s = Math.max(-lo, hi) / 127;
      scale[c] = s > 0 ? s : 1;
    } else {
      const s = (hi - lo) / 255;
      scale[c] = s > 0 ? s : 1;
      zero[c] = Math.max(-128, Math.min(127, Math.round(-128 - lo / (scale[c] as number))));
    }
  }
  const q = new Int8Array(k * n);
  for (let r = 0; r < k; r++) {
    const row = r * n;
    for (let c = 0; c < n; c++) {
      q[row + c] = Math.max(-128, Math.min(127, Math.round((w[row + c] as number) / (scale[c] as number)) + (zero[c] as number)));
    }
  }
  return { q: new Uint8Array(q.buffer), scale, zeroPoint: new Uint8Array(zero.buffer) };
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c] as number;
  return out;
}

/** MatMul / Gemm nodes reached first when walking back from the graph outputs: the classifier head. */
function headNodes(g: GraphIndex): Set<NodeProto> {
  const producer = g.producer;
  const head = new Set<NodeProto>();
  const seen = new Set<NodeProto>();
  const stack = [...g.graphOutputs].map((name) => producer.get(name)).filter((n): n is NodeProto => n !== undefined);
  while (stack.length > 0) {
    const node = stack.pop() as NodeProto;
    if (seen.has(node)) continue;
    seen.add(node);
    if ((node.domain ?? '') === '' && (node.opType === 'MatMul' || node.opType === 'Gemm')) {
      head.add(node);
      continue;
    }
    for (const input of node.input) {
      const p = producer.get(input);
      if (p) stack.push(p);
    }
  }
  return head;
}

/** A MatMul / Gemm whose weight can be quantized: weight K x N (after any transpose) and an optional 1-D bias. */
interface Candidate {
  node: NodeProto;
  weight: TensorProto;
  k: number;
  n: number;
  transposed: boolean;
  bias?: string;
}

function candidate(node: NodeProto, init: Map<string, TensorProto>): Candidate | undefined {
  if ((node.domain ?? '') !== '') return undefined;
  const [a, b, c] = node.input;
  if (a === undefined || b === undefined || init.has(a)) return undefined;
  const weight = init.get(b);
  if (!weight || weight.dataType !== DataType.FLOAT || weight.dims.length !== 2) return undefined;
  const [d0, d1] = weight.dims.map(int64) as [number, number];
  if (node.opType === 'MatMul' && node.input.length === 2) return { node, weight, k: d0, n: d1, transposed: false };
  if (node.opType !== 'Gemm') return undefined;
  if ((numberAttribute(node, 'alpha') ?? 1) !== 1 || (numberAttribute(node, 'transA') ?? 0) !== 0) return undefined;
  const transposed = (numberAttribute(node, 'transB') ?? 0) !== 0;
  const [k, n] = transposed ? [d1, d0] : [d0, d1];
  if (c !== undefined && c !== '') {
    const bias = init.get(c);
    if ((numberAttribute(node, 'beta') ?? 1) !== 1 || !bias || bias.dims.length !== 1 || int64(bias.dims[0]) !== n) return undefined;
    return { node, weight, k, n, transposed, bias: c };
  }
  return { node, weight, k, n, transposed };
}

/**
 * The first encoder layer's attention projections: its fused Attention node and the weight node after it when the graph
 * is fused; else the first group of weight nodes sharing one input (query / key / value reading the embedding output) and
 * the weight node after it (the attention output). Without either, the first weight node.
 */
function firstLayerNodes(graph: OnnxModel['graph'], candidates: readonly NodeProto[]): Set<NodeProto> {
  const attention = graph.node.find(isFusedAttention);
  if (attention) {
    const order = new Map(graph.node.map((n, i) => [n, i]));
    const at = order.get(attention) as number;
    const after = candidates.find((n) => (order.get(n) as number) > at);
    return new Set(after ? [attention, after] : [attention]);
  }
  const readers = new Map<string, number>();
  for (const node of candidates) readers.set(node.input[0] as string, (readers.get(node.input[0] as string) ?? 0) + 1);
  const first = candidates.find((node) => (readers.get(node.input[0] as string) ?? 0) >= 2);
  if (first === undefined) return new Set(candidates.slice(0, 1));
  const group = candidates.filter((node) => node.input[0] === first.input[0]);
  const after = candidates[candidates.indexOf(group[group.length - 1] as NodeProto) + 1];
  return new Set(after ? [...group, after] : group);
}

function isFusedAttention(node: NodeProto): boolean {
  return node.opType === 'Attention' && node.domain === MS_DOMAIN;
}

/**
 * A fused Attention (from fuse-bert) with its packed Q/K/V weight in the file, rewritten as DynamicQuantizeLinear of
 * the input + QAttention with per-column int8 weights; undefined when the node has other inputs than input, weights,
 * bias and mask.
 */
function quantizeAttention(node: NodeProto, init: Map<string, TensorProto>, added: TensorProto[], type: WeightType): NodeProto[] | undefined {
  const [input, weightName, bias, mask] = node.input as [string, string, string | undefined, string | undefined];
  const weight = init.get(weightName);
  const values = weight && weight.dims.length === 2 ? floatValues(weight) : undefined;
  if (node.input.length > 4 || !values || !bias || !weight) return undefined;
  const [k, n] = weight.dims.map(int64) as [number, number];
  const w = quantizeWeight(values, k, n, true);
  const prefix = `${weightName}_int8`;
  const q = storedWeight(w.q, type);
  const zero = storedWeight(new Uint8Array(1), type);
  added.push(
    makeTensor(`${prefix}_quantized`, q.dataType, [k, n], q.bytes),
    makeTensor(`${prefix}_scale`, DataType.FLOAT, [n], new Uint8Array(w.scale.buffer)),
    makeTensor(`${prefix}_zero_point`, zero.dataType, [], zero.bytes),
  );
  const name = node.name ?? weightName;
  const input8 = `${name}_input_quantized`;
  return [
    makeNode('DynamicQuantizeLinear', [input], [input8, `${input8}_scale`, `${input8}_zero_point`], `${name}_quantize_input`),
    makeNode(
      'QAttention',
      [input8, `${prefix}_quantized`, bias, `${input8}_scale`, `${prefix}_scale`, mask ?? '', `${input8}_zero_point`, `${prefix}_zero_point`],
      [...node.output],
      `${name}_int8`,
      MS_DOMAIN,
      node.attribute,
    ),
  ];
}

/** Decodes, quantizes and encodes; see quantizeInt8Model. */
export function quantizeInt8(source: Uint8Array, options: QuantizeOptions = {}): QuantizeResult {
  const model = readModel(source);
  return { ...quantizeInt8Model(model, options), bytes: encodeModel(model) };
}

/**
 * Rewrites, in place, each eligible MatMul / Gemm (and fused Attention) to run with int8 weights. Embeddings (Gather),
 * LayerNorm, Softmax, attention's activation-by-activation MatMuls, the first layer's attention projections and the
 * classifier head stay fp32. Throws ERR_NOT_QUANTIZABLE when nothing qualifies.
 */
export function quantizeInt8Model(model: OnnxModel, options: QuantizeOptions = {}): QuantizeSummary {
  const steps = quantizeSteps(model, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** quantizeInt8Model giving the event loop a turn between weights, so a server stays responsive while it runs. */
export async function quantizeInt8ModelAsync(model: OnnxModel, options: QuantizeOptions = {}): Promise<QuantizeSummary> {
  const steps = quantizeSteps(model, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export type QuantizeSummary = Omit<QuantizeResult, 'bytes'>;

/** The quantizer, yielding after each weight it quantizes. */
function* quantizeSteps(model: OnnxModel, options: QuantizeOptions): Generator<void, QuantizeSummary> {
  const operator = options.operator ?? 'dynamic-quantize-matmul';
  const symmetric = options.symmetric ?? true;
  const weightType = options.weightType ?? int8WeightType();
  const graph = model.graph;
  const g = new GraphIndex(graph);
  const { initializers: init, consumers, graphOutputs } = g;
  const head = headNodes(g);

  const removed = new Set<NodeProto>();
  const replacement = new Map<NodeProto, NodeProto[]>();
  const added: TensorProto[] = [];
  const quantizedWeights = new Map<string, string>(); // weight name -> prefix of its int8 tensors
  const quantized: string[] = [];
  const headNames: string[] = [];
  const firstNames: string[] = [];
  const kept: string[] = [];
  let id = 0;
  const firstLayer = firstLayerNodes(graph, graph.node.filter((n) => candidate(n, init) !== undefined && !head.has(n)));

  for (const node of graph.node) {
    if (isFusedAttention(node)) {
      if (firstLayer.has(node) && !options.quantizeFirstLayer) {
        firstNames.push(nodeKey(node));
        continue;
      }
      if (options.keepFp32Nodes?.has(nodeKey(node))) {
        kept.push(nodeKey(node));
        continue;
      }
      const nodes = quantizeAttention(node, init, added, weightType);
      yield;
      if (nodes) {
        replacement.set(node, nodes);
        quantized.push(nodeKey(node));
      }
      continue;
    }
    const found = candidate(node, init);
    if (!found) continue;
    if (head.has(node) && !options.quantizeHead) {
      headNames.push(nodeKey(node));
      continue;
    }
    if (firstLayer.has(node) && !options.quantizeFirstLayer) {
      firstNames.push(nodeKey(node));
      continue;
    }
    const weightName = found.weight.name ?? '';
    if (options.keepFp32?.(weightName) || options.keepFp32Nodes?.has(nodeKey(node))) {
      kept.push(nodeKey(node));
      continue;
    }
    const key = `${weightName}${found.transposed ? ':T' : ''}`;
    let prefix = quantizedWeights.get(key);
    if (prefix === undefined) {
      const cacheKey = `${key}:${symmetric ? 's' : 'a'}`;
      let w = options.weightCache?.get(cacheKey);
      if (!w) {
        const values = floatValues(found.weight);
        if (!values) continue;
        w = quantizeWeight(found.transposed ? transpose(values, found.n, found.k) : values, found.k, found.n, symmetric);
        options.weightCache?.set(cacheKey, w);
      }
      prefix = `${weightName}${found.transposed ? '_transposed' : ''}_int8`;
      const q8 = storedWeight(w.q, weightType);
      const zero8 = storedWeight(w.zeroPoint, weightType);
      added.push(
        makeTensor(`${prefix}_quantized`, q8.dataType, [found.k, found.n], q8.bytes),
        makeTensor(`${prefix}_scale`, DataType.FLOAT, [found.n], new Uint8Array(w.scale.buffer)),
        makeTensor(`${prefix}_zero_point`, zero8.dataType, [found.n], zero8.bytes),
      );
      quantizedWeights.set(key, prefix);
      yield;
    }

    // Fold a following `Add(bias)` into the node when the MatMul's result feeds only that Add.
    let bias = found.bias;
    let output = node.output[0] as string;
    const next = consumers.get(output);
    if (bias === undefined && !graphOutputs.has(output) && next?.length === 1) {
      const add = next[0] as NodeProto;
      const other = add.input[0] === output ? add.input[1] : add.input[0];
      const biasTensor = other === undefined ? undefined : init.get(other);
      if (
        add.opType === 'Add' && (add.domain ?? '') === '' && add.input.length === 2 && biasTensor &&
        biasTensor.dataType === DataType.FLOAT && biasTensor.dims.length === 1 && int64(biasTensor.dims[0]) === found.n
      ) {
        bias = other;
        output = add.output[0] as string;
        removed.add(add);
      }
    }

    const name = nodeKey(node);
    const q = `${prefix}_quantized`;
    const s = `${prefix}_scale`;
    const z = `${prefix}_zero_point`;
    const a = node.input[0] as string;
    if (operator === 'dynamic-quantize-matmul') {
      replacement.set(node, [makeNode('DynamicQuantizeMatMul', bias ? [a, q, s, z, bias] : [a, q, s, z], [output], name, MS_DOMAIN)]);
    } else {
      const t = `${name}_int8_${id}`;
      const matmulOut = bias ? `${t}_out` : output;
      const nodes = [
        makeNode('DynamicQuantizeLinear', [a], [`${t}_a`, `${t}_a_scale`, `${t}_a_zero_point`], `${t}_quantize`),
        makeNode('MatMulInteger', [`${t}_a`, q, `${t}_a_zero_point`, z], [`${t}_int32`], `${t}_matmul`),
        makeNode('Cast', [`${t}_int32`], [`${t}_float`], `${t}_cast`, undefined, [{ name: 'to', type: AttributeType.INT, i: DataType.FLOAT }]),
        makeNode('Mul', [`${t}_a_scale`, s], [`${t}_scale`], `${t}_scale`),
        makeNode('Mul', [`${t}_float`, `${t}_scale`], [matmulOut], `${t}_rescale`),
      ];
      if (bias) nodes.push(makeNode('Add', [matmulOut, bias], [output], `${t}_bias`));
      replacement.set(node, nodes);
    }
    quantized.push(name);
    id++;
  }

  if (quantized.length === 0) {
    throw new CrossrankError(
      'ERR_NOT_QUANTIZABLE',
      'The model has no MatMul or Gemm with a constant 2-D fp32 weight outside the classifier head, so int8 ' +
        'quantization would change nothing. Load it without the quantize option.',
    );
  }

  graph.node = graph.node.filter((n) => !removed.has(n)).flatMap((n) => replacement.get(n) ?? [n]);
  graph.initializer.push(...added);
  pruneInitializers(graph);
  if (graph.node.some((n) => n.domain === MS_DOMAIN)) importMsDomain(model);
  return { quantized, head: headNames, firstLayer: firstNames, kept };
}

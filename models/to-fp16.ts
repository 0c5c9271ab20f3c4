// Writes an fp16 copy of an fp32 ONNX model for GPU providers: float weights and math in half, int64 inputs and float32 outputs kept.
// Usage: npx tsx models/to-fp16.ts in.onnx out.onnx
import * as fs from 'node:fs';
import {
  AttributeType,
  DataType,
  type AttributeProto,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  decodeModel,
  encodeModel,
  int64,
  makeNode,
  makeTensor,
} from '../src/quantize/onnx-proto';
import { tensorValues } from '../src/quantize/graph-index';

/** AttributeProto.AttributeType GRAPH and GRAPHS: subgraphs (If, Loop, Scan), which this converter does not walk. */
const GRAPH_ATTRIBUTES = new Set([5, 10]);
/** The largest finite half. */
const HALF_MAX = 65504;

interface ValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number } };
}
/** The fields of a graph this converter touches beyond those onnx-proto.ts types. */
type Graph = GraphProto & { input: ValueInfo[]; output: ValueInfo[]; valueInfo: ValueInfo[] };
type Attribute = AttributeProto & { t?: TensorProto };

export interface Fp16Result {
  bytes: Uint8Array;
  initializers: number;
  casts: number;
  /** Initializers holding finite values beyond ±65504, which were clamped to ±65504. */
  clamped: string[];
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of `value`, rounded to nearest even; finite values beyond ±65504 clamp to ±65504. */
export function halfBits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  if (value === Infinity) return 0x7c00;
  if (value === -Infinity) return 0xfc00;
  f32[0] = Math.min(HALF_MAX, Math.max(-HALF_MAX, value));
  const bits = u32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent >= 1) {
    // Normal half: keep 10 mantissa bits; a carry out of the mantissa correctly bumps the exponent.
    let half = (exponent << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
    return sign | half;
  }
  // Subnormal half (or zero): the value is m * 2^-24; shift the 24-bit significand accordingly.
  const shift = 14 - exponent;
  if (shift > 24) return sign;
  const significand = mantissa | 0x800000;
  let half = significand >>> shift;
  const rest = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
  return sign | half;
}

function floatValues(tensor: TensorProto): Float32Array {
  const values = tensorValues(tensor)?.values;
  if (!(values instanceof Float32Array)) throw new Error(`${tensor.name}: external data, or not as many floats as its dims say`);
  return values;
}

function toHalfTensor(tensor: TensorProto, clamped: string[]): TensorProto {
  const values = floatValues(tensor);
  const raw = new Uint8Array(values.length * 2);
  const view = new DataView(raw.buffer);
  let beyond = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v) && Math.abs(v) > HALF_MAX) beyond = true;
    view.setUint16(i * 2, halfBits(v), true);
  }
  if (beyond) clamped.push(tensor.name ?? '');
  return makeTensor(tensor.name ?? '', DataType.FLOAT16, tensor.dims.map(int64), raw);
}

function castNode(input: string, output: string, to: number): NodeProto {
  return makeNode('Cast', [input], [output], `${output}/Cast`, undefined, [{ name: 'to', type: AttributeType.INT, i: to }]);
}

const isFloat = (v: ValueInfo): boolean => v.type?.tensorType?.elemType === DataType.FLOAT;

/** Renames every use of `from` as a node input to `to`. */
function renameInputs(nodes: NodeProto[], from: string, to: string): void {
  for (const node of nodes) node.input = node.input.map((name) => (name === from ? to : name));
}

export function toFp16(source: Uint8Array): Fp16Result {
  const model = decodeModel(source);
  const graph = model.graph as Graph | undefined;
  if (!graph) throw new Error('the model has no graph');
  const clamped: string[] = [];
  let initializers = 0;
  graph.initializer = graph.initializer.map((t) => {
    if (t.dataType !== DataType.FLOAT) return t;
    initializers++;
    return toHalfTensor(t, clamped);
  });

  let casts = 0;
  for (const node of graph.node) {
    for (const attr of node.attribute as Attribute[]) {
      if (attr.type !== undefined && GRAPH_ATTRIBUTES.has(attr.type)) throw new Error(`${node.name}: subgraphs are not supported`);
      // Constant / ConstantOfShape values.
      if (attr.t && attr.t.dataType === DataType.FLOAT) attr.t = toHalfTensor(attr.t, clamped);
    }
    if (node.opType !== 'Cast') continue;
    const to = node.attribute.find((a) => a.name === 'to');
    if (to && int64(to.i) === DataType.FLOAT) {
      to.i = DataType.FLOAT16;
      casts++;
    }
  }

  // Float graph inputs are cast to half on entry; float outputs are computed in half and cast back to float32 last.
  const entry: NodeProto[] = [];
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  for (const input of graph.input.filter(isFloat)) {
    const name = input.name ?? '';
    // Older exports also list initializers as inputs: those are half now.
    if (initializerNames.has(name)) {
      if (input.type?.tensorType) input.type.tensorType.elemType = DataType.FLOAT16;
      continue;
    }
    renameInputs(graph.node, name, `${name}_fp16`);
    entry.push(castNode(name, `${name}_fp16`, DataType.FLOAT16));
  }
  const exit: NodeProto[] = [];
  for (const output of graph.output.filter(isFloat)) {
    const name = output.name ?? '';
    const half = `${name}_fp16`;
    for (const node of graph.node) node.output = node.output.map((o) => (o === name ? half : o));
    renameInputs(graph.node, name, half);
    exit.push(castNode(half, name, DataType.FLOAT));
  }
  graph.node = [...entry, ...graph.node, ...exit];
  // Intermediate float types changed to half; ONNX Runtime infers them again.
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => !isFloat(v));
  return { bytes: encodeModel(model), initializers, casts, clamped };
}

function main(): void {
  const [input, output] = process.argv.slice(2);
  if (input === undefined || output === undefined) {
    process.stderr.write('Usage: npx tsx models/to-fp16.ts in.onnx out.onnx\n');
    process.exit(2);
  }
  const started = performance.now();
  const result = toFp16(fs.readFileSync(input));
  fs.writeFileSync(`${output}.tmp`, result.bytes);
  fs.renameSync(`${output}.tmp`, output);
  console.log(
    `${output}: ${result.initializers} initializers and ${result.casts} Casts to fp16, ` +
      `clamped to ±${HALF_MAX}: ${result.clamped.join(', ') || 'none'}; ` +
      `${(fs.statSync(input).size / 1e6).toFixed(1)} MB -> ${(result.bytes.length / 1e6).toFixed(1)} MB in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (require.main === module) main();

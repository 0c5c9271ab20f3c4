// Minimal ONNX protobuf encoder: just the messages a static inference graph needs.
// Field numbers follow onnx/onnx.proto (proto2); repeated scalars are written unpacked, as proto2 does.

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_BYTES = 2;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

/** Collects encoded chunks without copying nested messages until the final `bytes()`. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  private varint(value: number | bigint): void {
    // Negative int64 values are encoded as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, sub: ProtoWriter): this {
    this.tag(field, WIRE_BYTES);
    this.varint(sub.length);
    for (const c of sub.chunks) this.push(c);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface TensorSpec {
  name: string;
  dataType: DataTypeValue;
  dims: readonly number[];
  /** Little-endian element bytes (written as raw_data). */
  data: Float32Array | BigInt64Array;
}

/** A dimension is a fixed size or a symbolic name (dim_param). */
export type Dim = number | string;

export interface ValueInfoSpec {
  name: string;
  elemType: DataTypeValue;
  shape: readonly Dim[];
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
}

export interface ModelSpec {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  graph: GraphSpec;
}

function encodeAttribute(name: string, attr: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (attr.kind) {
    case 'float':
      w.float(2, attr.value).int(20, AttributeType.FLOAT);
      break;
    case 'int':
      w.int(3, attr.value).int(20, AttributeType.INT);
      break;
    case 'string':
      w.string(4, attr.value).int(20, AttributeType.STRING);
      break;
    case 'ints':
      for (const v of attr.value) w.int(8, v);
      w.int(20, AttributeType.INTS);
      break;
  }
  return w;
}

function encodeNode(node: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, node.name).string(4, node.opType);
  for (const [name, attr] of Object.entries(node.attributes ?? {})) {
    w.message(5, encodeAttribute(name, attr));
  }
  return w;
}

function encodeTensor(t: TensorSpec): ProtoWriter {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected) {
    throw new Error(`Tensor ${t.name}: ${t.data.length} elements for dims [${t.dims.join(', ')}]`);
  }
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType).string(8, t.name);
  // Typed arrays are little-endian on every platform Node supports, which raw_data requires.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function encodeValueInfo(v: ValueInfoSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function encodeGraph(g: GraphSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w;
}

/** Serializes a ModelProto with a single default-domain opset import. */
export function encodeModel(m: ModelSpec): Buffer {
  const opset = new ProtoWriter().string(1, '').int(2, m.opsetVersion);
  return new ProtoWriter()
    .int(1, m.irVersion)
    .string(2, m.producerName)
    .string(3, m.producerVersion)
    .message(7, encodeGraph(m.graph))
    .message(8, opset)
    .toBuffer();
}

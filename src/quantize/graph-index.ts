// Look-ups over one ONNX graph: who produces and who reads each tensor, and the values of constant tensors.
import { externalBytes, isExternal } from './external-data';
import { AttributeType, DataType, type GraphProto, type NodeProto, type TensorProto, int64 } from './onnx-proto';

/** Values of a constant tensor: floats for FLOAT, numbers for INT32 / INT64. */
export interface ConstantValue {
  dims: number[];
  values: Float32Array | number[];
}

/** Decodes an initializer or a Constant node's tensor; external data only when attachExternalData located it. */
export function tensorValues(tensor: TensorProto): ConstantValue | undefined {
  const external = isExternal(tensor) ? externalBytes(tensor) : undefined;
  if (isExternal(tensor) && !external) return undefined;
  const dims = tensor.dims.map(int64);
  const count = dims.reduce((n, d) => n * d, 1);
  const raw = external ?? (tensor.rawData && tensor.rawData.length > 0 ? new Uint8Array(tensor.rawData) : undefined); // aligned copy
  switch (tensor.dataType) {
    case DataType.FLOAT:
      if (raw) return raw.length === count * 4 ? { dims, values: new Float32Array(raw.buffer, 0, count) } : undefined;
      return tensor.floatData.length === count ? { dims, values: Float32Array.from(tensor.floatData) } : undefined;
    case DataType.INT64:
      if (raw) return raw.length === count * 8 ? { dims, values: Array.from(new BigInt64Array(raw.buffer, 0, count), Number) } : undefined;
      return tensor.int64Data.length === count ? { dims, values: tensor.int64Data.map(int64) } : undefined;
    case DataType.INT32:
      if (raw) return raw.length === count * 4 ? { dims, values: Array.from(new Int32Array(raw.buffer, 0, count)) } : undefined;
      return tensor.int32Data.length === count ? { dims, values: [...tensor.int32Data] } : undefined;
    default:
      return undefined;
  }
}

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers: Map<string, TensorProto>;
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;

  constructor(readonly graph: GraphProto) {
    for (const node of graph.node) {
      for (const out of node.output) this.producer.set(out, node);
      for (const input of node.input) {
        if (input === '') continue;
        const list = this.consumers.get(input);
        if (list) list.push(node);
        else this.consumers.set(input, [node]);
      }
    }
    this.initializers = new Map(graph.initializer.map((t) => [t.name ?? '', t]));
    this.graphInputs = new Set(graph.input.map((i) => i.name ?? '').filter((n) => !this.initializers.has(n)));
    this.graphOutputs = new Set(graph.output.map((o) => o.name ?? ''));
  }

  /** The node producing `tensor` when it is a standard-domain node of type `opType`. */
  from(tensor: string | undefined, opType: string): NodeProto | undefined {
    if (tensor === undefined) return undefined;
    const node = this.producer.get(tensor);
    return node && node.opType === opType && (node.domain ?? '') === '' ? node : undefined;
  }

  /** True when `tensor` is read by exactly one node and is not a graph output. */
  single(tensor: string): boolean {
    return (this.consumers.get(tensor)?.length ?? 0) === 1 && !this.graphOutputs.has(tensor);
  }

  /** The value of an initializer or of a Constant node's output. */
  constant(tensor: string | undefined): ConstantValue | undefined {
    if (tensor === undefined || tensor === '') return undefined;
    const init = this.initializers.get(tensor);
    if (init) return this.graphInputs.has(tensor) ? undefined : tensorValues(init);
    // torch.onnx shares equal initializers through Identity nodes.
    const identity = this.from(tensor, 'Identity');
    if (identity) return this.constant(identity.input[0]);
    const node = this.from(tensor, 'Constant');
    const attr = node?.attribute[0];
    if (!node || node.attribute.length !== 1 || !attr) return undefined;
    if (attr.name === 'value' && attr.t) return tensorValues(attr.t);
    if (attr.name === 'value_float' && attr.f !== undefined) return { dims: [], values: Float32Array.of(attr.f) };
    if (attr.name === 'value_int' && attr.i !== undefined) return { dims: [], values: [int64(attr.i)] };
    if (attr.name === 'value_ints' && attr.ints) return { dims: [attr.ints.length], values: attr.ints.map(int64) };
    return undefined;
  }

  /** A constant holding exactly one number (any rank). */
  scalar(tensor: string | undefined): number | undefined {
    const c = this.constant(tensor);
    return c && c.values.length === 1 ? (c.values[0] as number) : undefined;
  }

  /** A 1-D constant of integers; with Concat of constant pieces, unknown (dynamic) pieces read as NaN. */
  ints(tensor: string | undefined): number[] | undefined {
    const c = this.constant(tensor);
    if (c) return c.values instanceof Float32Array ? undefined : c.values;
    const concat = this.from(tensor, 'Concat');
    if (!concat) return undefined;
    return concat.input.flatMap((piece) => this.ints(piece) ?? [Number.NaN]);
  }
}

/** A node attribute as a number (int or float), or undefined when absent. */
export function numberAttribute(node: NodeProto, name: string): number | undefined {
  const a = node.attribute.find((x) => x.name === name);
  if (!a) return undefined;
  return a.type === AttributeType.FLOAT ? (a.f ?? 0) : int64(a.i);
}

/** A node attribute holding a list of ints, or undefined when absent. */
export function intsAttribute(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a?.ints ? a.ints.map(int64) : undefined;
}

/** Drops initializers nothing reads (and their entries among the graph inputs, where old exports list them). */
export function pruneInitializers(graph: GraphProto): void {
  const read = new Set(graph.node.flatMap((n) => n.input));
  const outputs = new Set(graph.output.map((o) => o.name ?? ''));
  const dropped = new Set(graph.initializer.map((t) => t.name ?? '').filter((n) => !read.has(n) && !outputs.has(n)));
  graph.initializer = graph.initializer.filter((t) => !dropped.has(t.name ?? ''));
  graph.input = graph.input.filter((i) => !dropped.has(i.name ?? ''));
}

// What an ONNX file runs at, read from its op types and weight types: for `model.precision` and `model.optimized`.
import * as fs from 'node:fs';
import { FIDELITY_METADATA_KEY, type QuantizationFidelity, parseFidelity } from './fidelity';
import { NARROWED_NODE_PREFIX } from './narrow-relative-gather';
import { DataType } from './onnx-proto';

/** The precision of a model's weights: int8 when it has integer MatMul / attention kernels, else its float type. */
export type Precision = 'fp32' | 'fp16' | 'int8';

export interface GraphSummary {
  precision: Precision;
  /** True when self-attention runs as one fused com.microsoft attention node, or its relative-position gathers narrowed. */
  optimized: boolean;
  /** The figures crossrank measured when it quantized the file (its metadata), else undefined. */
  quantization: QuantizationFidelity | undefined;
}

const INT8_OPS = new Set([
  'DynamicQuantizeMatMul', 'MatMulInteger', 'MatMulIntegerToFloat', 'QAttention', 'QLinearMatMul', 'QGemm', 'DynamicQuantizeLinear',
]);
const FUSED_ATTENTION = new Set(['Attention', 'QAttention', 'MultiHeadAttention', 'PackedAttention']);

// Field numbers of onnx.proto: ModelProto.graph, GraphProto.node / .initializer, NodeProto.op_type / .domain,
// TensorProto.data_type.
const MODEL_GRAPH = 7;
const MODEL_METADATA = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_DOMAIN = 7;
const TENSOR_DATA_TYPE = 2;
/** Bytes read of a node or tensor: enough for its small fields, which the writers put before large payloads. */
const HEAD_BYTES = 4096;

/** Protobuf fields read by position from a file, so that the weights (nearly all of it) are skipped, never read. */
class FieldReader {
  private readonly scratch = Buffer.alloc(10);

  constructor(private readonly fd: number) {}

  private varint(at: number): { value: number; next: number } {
    const n = fs.readSync(this.fd, this.scratch, 0, 10, at);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.scratch[i] as number;
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) return { value, next: at + i + 1 };
    }
    throw new Error(`bad varint at byte ${at}`);
  }

  /** Calls `visit(field, start, end)` for each length-delimited field in [from, to) and skips the others. */
  each(from: number, to: number, visit: (field: number, start: number, end: number) => void): void {
    for (let at = from; at < to; ) {
      const tag = this.varint(at);
      const field = Math.floor(tag.value / 8);
      switch (tag.value % 8) {
        case 0:
          at = this.varint(tag.next).next;
          break;
        case 1:
          at = tag.next + 8;
          break;
        case 5:
          at = tag.next + 4;
          break;
        case 2: {
          const length = this.varint(tag.next);
          const end = length.next + length.value;
          if (end > to) throw new Error(`field ${field} runs past its message`);
          visit(field, length.next, end);
          at = end;
          break;
        }
        default:
          throw new Error(`unsupported wire type in field ${field}`);
      }
    }
  }

  /** The first bytes of [start, end) as a Buffer. */
  head(start: number, end: number): Buffer {
    const buffer = Buffer.alloc(Math.min(end - start, HEAD_BYTES));
    fs.readSync(this.fd, buffer, 0, buffer.length, start);
    return buffer;
  }
}

/** Small fields of one message held in `bytes` (a node's or tensor's head): strings and varints by field number. */
function smallFields(bytes: Buffer): Map<number, string | number> {
  const out = new Map<number, string | number>();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; at < bytes.length; shift += 7) {
      const byte = bytes[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return Number.NaN; // cut by the head's end
  };
  while (at < bytes.length) {
    const tag = varint();
    if (Number.isNaN(tag)) break;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const value = varint();
      if (!Number.isNaN(value) && !out.has(field)) out.set(field, value);
    } else if (wire === 2) {
      const length = varint();
      if (Number.isNaN(length) || at + length > bytes.length) break;
      if (!out.has(field)) out.set(field, bytes.toString('utf8', at, at + length));
      at += length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else {
      break;
    }
  }
  return out;
}

/** Reads op types and weight types by position; a file it cannot read summarizes as fp32 (ONNX Runtime reports the fault). */
export async function summarizeGraph(modelPath: string): Promise<GraphSummary> {
  let int8 = false;
  let fp16 = false;
  let optimized = false;
  let quantization: QuantizationFidelity | undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(modelPath, 'r');
    const reader = new FieldReader(fd);
    reader.each(0, fs.fstatSync(fd).size, (field, start, end) => {
      if (field === MODEL_METADATA) {
        const entry = smallFields(reader.head(start, end));
        if (entry.get(ENTRY_KEY) === FIDELITY_METADATA_KEY) quantization = parseFidelity(String(entry.get(ENTRY_VALUE)));
      }
      if (field !== MODEL_GRAPH) return;
      reader.each(start, end, (graphField, s, e) => {
        if (graphField === GRAPH_NODE) {
          const node = smallFields(reader.head(s, e));
          const op = String(node.get(NODE_OP_TYPE) ?? '');
          int8 ||= INT8_OPS.has(op);
          optimized ||= node.get(NODE_DOMAIN) === 'com.microsoft' && FUSED_ATTENTION.has(op);
          optimized ||= String(node.get(NODE_NAME) ?? '').startsWith(NARROWED_NODE_PREFIX);
        } else if (graphField === GRAPH_INITIALIZER) {
          fp16 ||= smallFields(reader.head(s, e)).get(TENSOR_DATA_TYPE) === DataType.FLOAT16;
        }
      });
    });
  } catch {
    // Not an ONNX file crossrank can read: the session load that follows says what is wrong with it.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return { precision: int8 ? 'int8' : fp16 ? 'fp16' : 'fp32', optimized, quantization: int8 ? quantization : undefined };
}

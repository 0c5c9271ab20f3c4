// What an ONNX file runs at, read from its op types and weight types: for `model.precision` and `model.optimized`.
import * as fs from 'node:fs';
import { DataType, decodeSummary } from './onnx-proto';

/** The precision of a model's weights: int8 when it has integer MatMul / attention kernels, else its float type. */
export type Precision = 'fp32' | 'fp16' | 'int8';

export interface GraphSummary {
  precision: Precision;
  /** True when self-attention runs as one fused com.microsoft attention node. */
  optimized: boolean;
}

const INT8_OPS = new Set([
  'DynamicQuantizeMatMul', 'MatMulInteger', 'MatMulIntegerToFloat', 'QAttention', 'QLinearMatMul', 'QGemm', 'DynamicQuantizeLinear',
]);
const FUSED_ATTENTION = new Set(['Attention', 'QAttention', 'MultiHeadAttention', 'PackedAttention']);

export async function summarizeGraph(modelPath: string): Promise<GraphSummary> {
  let graph;
  try {
    graph = decodeSummary(await fs.promises.readFile(modelPath)).graph;
  } catch {
    graph = undefined; // ONNX Runtime reports what is wrong with the file when it loads it
  }
  const nodes = graph?.node ?? [];
  const int8 = nodes.some((n) => INT8_OPS.has(n.opType ?? ''));
  const fp16 = (graph?.initializer ?? []).some((t) => t.dataType === DataType.FLOAT16);
  return {
    precision: int8 ? 'int8' : fp16 ? 'fp16' : 'fp32',
    optimized: nodes.some((n) => n.domain === 'com.microsoft' && FUSED_ATTENTION.has(n.opType ?? '')),
  };
}

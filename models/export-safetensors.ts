// Writes model.safetensors beside a generated model's ONNX file, so PyTorch (transformers, sentence-transformers) loads the same weights.
// Usage: npx tsx models/export-safetensors.ts [model folder]   (default models/generated/minilm-l6; reads onnx/model.onnx and config.json)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataType, type TensorProto, decodeModel, int64 } from '../src/quantize/onnx-proto';

interface Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** HF state_dict prefixes of BertForSequenceClassification; other initializers are graph constants. */
const STATE_DICT_PREFIXES = ['bert.', 'classifier.'];

/** The no-token-type graphs keep only row 0 of this table (models/bert-graph.ts). */
const TOKEN_TYPE_ROW0 = 'bert.embeddings.token_type_embeddings.row0';

function floatValues(tensor: TensorProto): Float32Array {
  const count = tensor.dims.reduce<number>((n, d) => n * int64(d), 1);
  if (tensor.dataType !== DataType.FLOAT || tensor.dataLocation === 1) throw new Error(`${tensor.name}: not an inline float tensor`);
  const raw = tensor.rawData;
  // Aligned copy: decoded bytes may start at any offset.
  if (raw && raw.length === count * 4) return new Float32Array(new Uint8Array(raw).buffer);
  if (tensor.floatData.length === count) return Float32Array.from(tensor.floatData);
  throw new Error(`${tensor.name}: holds ${raw?.length ?? 0} bytes for ${count} floats`);
}

/** [rows, cols] row-major -> [cols, rows]: the ONNX MatMul weight is [in, out], torch's Linear weight is [out, in]. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

/** The HF-named weights of the graph, in torch layout. */
export function stateDict(onnxBytes: Uint8Array, typeVocabSize: number): Tensor[] {
  const graph = decodeModel(onnxBytes).graph;
  if (!graph) throw new Error('the model has no graph');
  const matmulWeights = new Set(graph.node.filter((n) => n.opType === 'MatMul').map((n) => n.input[1]));
  const out: Tensor[] = [];
  for (const init of graph.initializer) {
    const name = init.name ?? '';
    if (!STATE_DICT_PREFIXES.some((p) => name.startsWith(p))) continue;
    const shape = init.dims.map(int64);
    const data = floatValues(init);
    if (name === TOKEN_TYPE_ROW0) {
      // The graph adds row 0 to every token whatever its type, so every row of the table is row 0.
      const table = new Float32Array(typeVocabSize * data.length);
      for (let row = 0; row < typeVocabSize; row++) table.set(data, row * data.length);
      out.push({ name: 'bert.embeddings.token_type_embeddings.weight', shape: [typeVocabSize, data.length], data: table });
    } else if (matmulWeights.has(name) && shape.length === 2) {
      const [rows, cols] = shape as [number, number];
      out.push({ name, shape: [cols, rows], data: transpose(data, rows, cols) });
    } else {
      out.push({ name, shape, data });
    }
  }
  return out;
}

/** The safetensors format: u64 little-endian header length, a JSON header (dtype, shape, data_offsets), then the raw data. */
export function encodeSafetensors(tensors: readonly Tensor[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  // The header is padded with spaces to a multiple of 8 so the data that follows stays aligned.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    // Float32Array bytes are little-endian on every platform Node runs on.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

function main(): void {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, 'generated', 'minilm-l6'));
  const onnxFile = path.join(dir, 'onnx', 'model.onnx');
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { type_vocab_size?: number };
  const tensors = stateDict(fs.readFileSync(onnxFile), config.type_vocab_size ?? 2);
  const file = path.join(dir, 'model.safetensors');
  fs.writeFileSync(`${file}.tmp`, encodeSafetensors(tensors));
  fs.renameSync(`${file}.tmp`, file);
  console.log(`${path.relative(process.cwd(), file)}: ${tensors.length} tensors, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
}

if (require.main === module) main();

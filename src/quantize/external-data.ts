// ONNX external data (model.onnx + model.onnx_data): tensors read one at a time by offset, derived files written beside theirs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossrankError } from '../errors';
import { type OnnxModel, type TensorProto, encodeModel, int64, readModel } from './onnx-proto';

/** TensorProto.DataLocation.EXTERNAL. */
const EXTERNAL = 1;
/** Tensors smaller than this stay inside the graph, as onnx's convert_model_to_external_data leaves them. */
const INLINE_BELOW = 1024;
/** Above this many weight bytes a derived file is written with external data even from a single-file source (protobuf's limit is 2 GiB). */
export const EXTERNAL_ABOVE = 1.5e9;
const COPY_CHUNK = 8 << 20;
/** Bytes per element of the tensor types that hold weights. */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

interface ExternalRef {
  file: string;
  offset: number;
  length: number;
}

const refs = new WeakMap<TensorProto, ExternalRef>();

interface Entry {
  key?: string;
  value?: string;
}

export function isExternal(tensor: TensorProto): boolean {
  return tensor.dataLocation === EXTERNAL || tensor.externalData.length > 0;
}

function byteLength(tensor: TensorProto): number | undefined {
  const size = ELEMENT_BYTES[tensor.dataType ?? 0];
  return size === undefined ? undefined : tensor.dims.reduce<number>((n, d) => n * int64(d), size);
}

/**
 * Records where each external initializer's bytes are, so that tensorValues can read them; returns the data files
 * (resolved paths). ERR_MODEL_LOAD when a file is missing or a tensor runs past its end.
 */
export function attachExternalData(model: OnnxModel, modelDir: string): string[] {
  const files = new Map<string, number>();
  for (const tensor of model.graph.initializer) {
    if (!isExternal(tensor)) continue;
    const info = new Map((tensor.externalData as Entry[]).map((e) => [e.key ?? '', e.value ?? '']));
    const location = info.get('location');
    const file = location ? path.resolve(modelDir, location) : '';
    let size = files.get(file);
    if (size === undefined) {
      try {
        size = fs.statSync(file).size;
      } catch (error) {
        throw new CrossrankError(
          'ERR_MODEL_LOAD',
          `The ONNX model keeps tensor ${tensor.name ?? '?'} in external data file ${JSON.stringify(location ?? '')}, which is not ` +
            `in ${modelDir}. Put the data file (e.g. model.onnx_data) beside the ONNX file.`,
          { cause: error },
        );
      }
      files.set(file, size);
    }
    const offset = Number(info.get('offset') ?? 0);
    const length = info.has('length') ? Number(info.get('length')) : (byteLength(tensor) ?? Number.NaN);
    if (!(offset >= 0 && length >= 0 && offset + length <= size)) {
      throw new CrossrankError('ERR_MODEL_LOAD', `External tensor ${tensor.name ?? '?'} (offset ${offset}, length ${length}) runs past the end of ${file} (${size} bytes)`);
    }
    refs.set(tensor, { file, offset, length });
  }
  return [...files.keys()];
}

/** True when any initializer of the model lives in an external file. */
export function usesExternalData(model: OnnxModel): boolean {
  return model.graph.initializer.some(isExternal);
}

/** The bytes of an external tensor attached by attachExternalData, read now (one tensor; the quantizer yields between them). */
export function externalBytes(tensor: TensorProto): Uint8Array | undefined {
  const ref = refs.get(tensor);
  if (!ref) return undefined;
  const bytes = new Uint8Array(ref.length);
  const fd = fs.openSync(ref.file, 'r');
  try {
    for (let done = 0; done < ref.length; ) {
      const n = fs.readSync(fd, bytes, done, ref.length - done, ref.offset + done);
      if (n === 0) throw new CrossrankError('ERR_MODEL_LOAD', `${ref.file} ended inside tensor ${tensor.name ?? '?'}`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** Bytes of weights held inside the model (raw data), to decide whether its file needs external data. */
export function inlineWeightBytes(model: OnnxModel): number {
  return model.graph.initializer.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
}

/** The data file written beside a derived model file. */
export function dataFileOf(modelFile: string): string {
  return `${modelFile}_data`;
}

/**
 * Writes the model's weights of 1 KiB and more to `dataFile` (external ones copied from their source in chunks, never
 * whole), points the tensors there by its base name, and returns the graph's bytes. The model file must be written
 * into the same folder as `dataFile`.
 */
export async function writeExternalData(model: OnnxModel, dataFile: string): Promise<Uint8Array> {
  const out = await fs.promises.open(dataFile, 'w');
  const location = path.basename(dataFile);
  let offset = 0;
  const chunk = Buffer.alloc(COPY_CHUNK);
  try {
    for (const tensor of model.graph.initializer) {
      const ref = refs.get(tensor);
      const raw = ref ? undefined : tensor.rawData;
      const length = ref ? ref.length : (raw?.length ?? 0);
      if (length < INLINE_BELOW || (!ref && isExternal(tensor))) continue;
      // Large tensors start on a page, so that ONNX Runtime can map them; the rest on 64 bytes.
      offset = Math.ceil(offset / (length >= 1 << 20 ? 4096 : 64)) * (length >= 1 << 20 ? 4096 : 64);
      if (ref) {
        const source = await fs.promises.open(ref.file, 'r');
        try {
          for (let done = 0; done < length; ) {
            const { bytesRead } = await source.read(chunk, 0, Math.min(COPY_CHUNK, length - done), ref.offset + done);
            if (bytesRead === 0) throw new CrossrankError('ERR_MODEL_LOAD', `${ref.file} ended inside tensor ${tensor.name ?? '?'}`);
            await out.write(chunk, 0, bytesRead, offset + done);
            done += bytesRead;
          }
        } finally {
          await source.close();
        }
      } else {
        await out.write(raw as Uint8Array, 0, length, offset);
      }
      tensor.rawData = undefined;
      tensor.dataLocation = EXTERNAL;
      tensor.externalData = [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(length) },
      ];
      offset += length;
    }
  } finally {
    await out.close();
  }
  return encodeModel(model);
}

/** An ONNX file decoded for a rewrite, its external tensors (if any) located beside it. */
export interface ModelFile {
  model: OnnxModel;
  /** True when the file keeps weights in external data: what it derives is written the same way. */
  external: boolean;
}

export async function readModelFile(file: string): Promise<ModelFile> {
  const model = readModel(await fs.promises.readFile(file));
  const external = attachExternalData(model, path.dirname(file)).length > 0;
  return { model, external };
}

/**
 * The bytes of the ONNX file `file` will hold for `model`; with `external` (or weights over EXTERNAL_ABOVE) the weights
 * are written now to dataFileOf(file), which the bytes name. The model's tensors are repointed, so encode it once.
 */
export async function encodeModelFile(model: OnnxModel, file: string, external: boolean): Promise<{ bytes: Uint8Array; dataFile?: string }> {
  if (!external && inlineWeightBytes(model) <= EXTERNAL_ABOVE) return { bytes: encodeModel(model) };
  const dataFile = dataFileOf(file);
  return { bytes: await writeExternalData(model, dataFile), dataFile };
}

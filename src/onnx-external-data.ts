// The external-data files an ONNX file's tensors point at, found by walking protobuf headers: weights are skipped, never read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrossrankError } from './errors';

const CHUNK = 64 * 1024;
const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

// onnx.proto field numbers of the messages that can hold a tensor.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_SPARSE_INITIALIZER = 15;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_TENSOR = new Set([5, 10]);
const ATTRIBUTE_GRAPH = new Set([6, 11]);
const ATTRIBUTE_SPARSE = new Set([22, 23]);
const SPARSE_TENSORS = new Set([1, 2]);
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;

class Malformed extends Error {}

/** Positional reads through a small window, so skipping a 1 GB raw_data field costs nothing. */
class FileCursor {
  pos = 0;
  readonly #fd: number;
  readonly size: number;
  readonly #window = Buffer.allocUnsafe(CHUNK);
  #start = 0;
  #end = 0;

  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
  }

  byte(): number {
    if (this.pos >= this.size) throw new Malformed('truncated');
    if (this.pos < this.#start || this.pos >= this.#end) {
      this.#start = this.pos;
      this.#end = this.pos + fs.readSync(this.#fd, this.#window, 0, CHUNK, this.pos);
    }
    return this.#window[this.pos++ - this.#start] as number;
  }

  varint(): number {
    let value = 0;
    // Ten bytes at most: a negative int64 (axis -1, dim -1) takes all ten.
    for (let i = 0, scale = 1; i < 10; ++i, scale *= 128) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
    }
    throw new Malformed('varint too long');
  }

  text(length: number): string {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; ++i) out[i] = this.byte();
    return out.toString('utf8');
  }

  skip(length: number): void {
    this.pos += length;
    if (this.pos > this.size) throw new Malformed('truncated');
  }
}

type FieldVisitor = (field: number, end: number) => boolean;

/** Walks one message up to `end`; `visit` consumes a length-delimited field and returns true, or leaves it skipped. */
function walk(c: FileCursor, end: number, visit: FieldVisitor, onVarint?: (field: number, value: number) => void): void {
  while (c.pos < end) {
    const tag = c.varint();
    const field = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0: {
        const value = c.varint();
        onVarint?.(field, value);
        break;
      }
      case 1:
        c.skip(8);
        break;
      case 2: {
        const length = c.varint();
        const fieldEnd = c.pos + length;
        if (fieldEnd > end) throw new Malformed('field overruns its message');
        if (!visit(field, fieldEnd)) c.skip(length);
        c.pos = fieldEnd;
        break;
      }
      case 5:
        c.skip(4);
        break;
      default:
        throw new Malformed(`wire type ${tag % 8}`);
    }
  }
}

function tensor(c: FileCursor, end: number, found: Set<string>): void {
  let location: string | undefined;
  let dataLocation = 0;
  walk(
    c,
    end,
    (field, entryEnd) => {
      if (field !== TENSOR_EXTERNAL_DATA) return false;
      let key = '';
      let value = '';
      walk(c, entryEnd, (f, stringEnd) => {
        if (f !== 1 && f !== 2) return false;
        const s = c.text(stringEnd - c.pos);
        if (f === 1) key = s;
        else value = s;
        return true;
      });
      if (key === 'location') location = value;
      return true;
    },
    (field, value) => {
      if (field === TENSOR_DATA_LOCATION) dataLocation = value;
    },
  );
  if (dataLocation === EXTERNAL && location !== undefined) found.add(location);
}

function sparse(c: FileCursor, end: number, found: Set<string>): void {
  walk(c, end, (field, e) => SPARSE_TENSORS.has(field) && (tensor(c, e, found), true));
}

function graph(c: FileCursor, end: number, found: Set<string>): void {
  walk(c, end, (field, e) => {
    if (field === GRAPH_INITIALIZER) tensor(c, e, found);
    else if (field === GRAPH_SPARSE_INITIALIZER) sparse(c, e, found);
    else if (field === GRAPH_NODE) walk(c, e, (f, ae) => f === NODE_ATTRIBUTE && (attribute(c, ae, found), true));
    else return false;
    return true;
  });
}

function attribute(c: FileCursor, end: number, found: Set<string>): void {
  walk(c, end, (field, e) => {
    if (ATTRIBUTE_TENSOR.has(field)) tensor(c, e, found);
    else if (ATTRIBUTE_GRAPH.has(field)) graph(c, e, found);
    else if (ATTRIBUTE_SPARSE.has(field)) sparse(c, e, found);
    else return false;
    return true;
  });
}

/**
 * The external-data locations (relative to the model file's folder) its tensors name, each once. Throws
 * ERR_MODEL_LOAD for a file that is not an ONNX protobuf, or a location that leaves the model's folder.
 */
export function externalDataFiles(modelPath: string): string[] {
  const found = new Set<string>();
  const fd = fs.openSync(modelPath, 'r');
  try {
    const c = new FileCursor(fd, fs.fstatSync(fd).size);
    walk(c, c.size, (field, end) => field === MODEL_GRAPH && (graph(c, end, found), true));
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    throw new CrossrankError('ERR_MODEL_LOAD', `${modelPath} is not an ONNX model file (${error.message})`);
  } finally {
    fs.closeSync(fd);
  }
  for (const location of found) {
    const normal = path.posix.normalize(location.replace(/\\/g, '/'));
    if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) {
      throw new CrossrankError('ERR_MODEL_LOAD', `${modelPath} names external data outside its folder: ${location}`);
    }
  }
  return [...found];
}

/** Throws ERR_MODEL_NOT_FOUND naming the first external-data file of `modelPath` that is not beside it. */
export function checkExternalData(modelPath: string): void {
  for (const location of externalDataFiles(modelPath)) {
    const file = path.resolve(path.dirname(modelPath), location);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new CrossrankError(
        'ERR_MODEL_NOT_FOUND',
        `${modelPath} keeps its weights in ${location}, which is not in ${path.dirname(modelPath)}. ` +
          'Copy the external-data file (saved with the export) next to the .onnx file.',
      );
    }
  }
}

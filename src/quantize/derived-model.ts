// Models crossrank derives from the user's ONNX file (fused, int8), made once per source content and crossrank version.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CrossrankError } from '../errors';
import { fuseBertModel } from './fuse-bert';
import { encodeModel, readModel } from './onnx-proto';
import { type QuantizeSummary, quantizeInt8ModelAsync } from './quantize-int8';

/** What to derive: the fused graph (`optimize`), int8 weights (`quantize`), or both (fused, then quantized). */
export interface Derivation {
  optimize: boolean;
  quantize?: 'int8';
}

const CACHE_FOLDER = '.crossrank-cache';

let version: string | undefined;

/** crossrank's own version, from the package.json above this file (src/ or dist/src/). */
export function crossrankVersion(): string {
  if (version !== undefined) return version;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'crossrank') return (version = json.version ?? '0.0.0');
    }
    if (path.dirname(dir) === dir) return (version = '0.0.0');
  }
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `<model dir>/.crossrank-cache` when it can be written, else `<tmpdir>/crossrank-cache`. */
function defaultCacheDir(modelDir: string): string {
  const beside = path.join(modelDir, CACHE_FOLDER);
  return writable(beside) ? beside : path.join(os.tmpdir(), 'crossrank-cache');
}

function tagOf(derivation: Derivation): string {
  return [derivation.optimize ? 'fused' : '', derivation.quantize ?? ''].filter(Boolean).join('-');
}

/** What deriveModel did: the fused blocks and, with quantize, the quantizer's summary. */
export interface DerivedModel {
  bytes: Uint8Array;
  fusedAttention: number;
  quantized?: QuantizeSummary;
}

/** Fuses (optimize) and / or quantizes an ONNX file's bytes; throws ERR_NOT_OPTIMIZABLE / ERR_NOT_QUANTIZABLE when there is nothing to do. */
export async function deriveModel(source: Uint8Array, derivation: Derivation): Promise<DerivedModel> {
  const model = readModel(source);
  const fusedAttention = derivation.optimize ? fuseBertModel(model).attention : 0;
  if (derivation.optimize && fusedAttention === 0) {
    throw new CrossrankError(
      'ERR_NOT_OPTIMIZABLE',
      'optimize: true found no self-attention block it can fuse in this graph (it knows the BERT export patterns of ' +
        'transformers / optimum). Load it without the optimize option.',
    );
  }
  const quantized = derivation.quantize === 'int8' ? await quantizeInt8ModelAsync(model) : undefined;
  return { bytes: encodeModel(model), fusedAttention, quantized };
}

/** Checks a freshly fused file (at `fusedPath`) against the source before it is cached; throws to refuse it. */
export type VerifyFused = (fusedPath: string) => Promise<void>;

/** Writes `bytes` to `target` through a temp file, after `check` accepts the temp file. */
async function writeEntry(dir: string, target: string, bytes: Uint8Array, check?: VerifyFused): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(temp, bytes);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw new CrossrankError(
      'ERR_MODEL_LOAD',
      `Cannot write the derived model to ${dir}: ${(error as Error).message}. Pass a writable folder as modelCacheDir.`,
      { cause: error },
    );
  }
  try {
    await check?.(temp);
    await fs.promises.rename(temp, target);
  } finally {
    await fs.promises.rm(temp, { force: true });
  }
}

/**
 * Returns the path of the derived version of `modelPath`, making and writing it on first use. The fused graph is its
 * own entry, checked by `verify` before it is kept; int8 with optimize quantizes that entry. A file name holds the
 * derivation, the source's sha256 and crossrank's version, so a changed source or a new crossrank derives again; older
 * entries of the same derivation and source name are deleted then.
 */
export async function derivedModelPath(
  modelPath: string,
  modelDir: string,
  derivation: Derivation,
  cacheDir: string | undefined,
  verify: VerifyFused,
): Promise<string> {
  const dir = cacheDir !== undefined ? path.resolve(cacheDir) : defaultCacheDir(modelDir);
  const stem = path.basename(modelPath, '.onnx');
  // Names the source by its path too, so that two models sharing a cache folder never delete each other's entries.
  const source = createHash('sha256').update(path.resolve(modelPath)).digest('hex').slice(0, 8);
  const hash = (await sha256(modelPath)).slice(0, 32);
  const entry = (d: Derivation) => {
    const prefix = `${stem}.${source}.${tagOf(d)}.`;
    return { prefix, file: path.join(dir, `${prefix}${hash}.crossrank-${crossrankVersion()}.onnx`) };
  };
  const made: { prefix: string; file: string }[] = [];

  let base = modelPath;
  if (derivation.optimize) {
    const fused = entry({ optimize: true });
    if (!fs.existsSync(fused.file)) {
      const { bytes } = await deriveModel(await fs.promises.readFile(modelPath), { optimize: true });
      await writeEntry(dir, fused.file, bytes, verify);
      made.push(fused);
    }
    base = fused.file;
  }
  let target = base;
  if (derivation.quantize === 'int8') {
    const int8 = entry(derivation);
    if (!fs.existsSync(int8.file)) {
      const { bytes } = await deriveModel(await fs.promises.readFile(base), { optimize: false, quantize: 'int8' });
      await writeEntry(dir, int8.file, bytes);
      made.push(int8);
    }
    target = int8.file;
  }
  for (const { prefix, file } of made) {
    for (const name of await fs.promises.readdir(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.onnx') && path.join(dir, name) !== file) await fs.promises.rm(path.join(dir, name), { force: true });
    }
  }
  return target;
}

// Models crossrank derives from the user's ONNX file (fused, int8), made once per source content and crossrank version.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CrossrankError } from '../errors';
import { dataFileOf, encodeModelFile, readModelFile } from './external-data';
import { DEFAULT_TARGET, type FidelityTarget, withFidelity } from './fidelity';
import { fuseBertModel } from './fuse-bert';
import { narrowRelativeGathers } from './narrow-relative-gather';
import { externalDataFiles } from '../onnx-external-data';
import { type WeightType, int8WeightType } from './int8-weights';
import { type Int8Model, quantizeToTarget } from './mixed-precision';
import type { ProbeScorer } from './probe-scorer';
import { verifyFused } from './verify-fused';

/** `quantize` as load() parsed it: int8 and the fidelity it must reach on the probe pairs. */
export interface QuantizeRequest extends FidelityTarget {
  type: 'int8';
}

/** What to derive: the fused graph (`optimize`), int8 weights (`quantize`), or both (fused, then quantized). */
export interface Derivation {
  optimize: boolean;
  quantize?: QuantizeRequest;
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

/** The sha256 of the files' contents in order, streamed (an external data file can be gigabytes). */
async function sha256(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
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
  const q = derivation.quantize;
  // The default target keeps the plain tag; another one is named in parts per ten thousand (no dots in a tag).
  const custom = q && (q.minSpearman !== DEFAULT_TARGET.minSpearman || q.minTopKOverlap !== DEFAULT_TARGET.minTopKOverlap);
  // Unsigned weights (CPUs without VNNI) make another file: a cache shared across machines keeps both.
  const type = int8WeightType() === 'uint8' ? 'int8u' : 'int8';
  const int8 = !q ? '' : custom ? `${type}-s${Math.round(q.minSpearman * 1e4)}-k${Math.round(q.minTopKOverlap * 1e4)}` : type;
  return [derivation.optimize ? 'fused' : '', int8].filter(Boolean).join('-');
}

/**
 * The optimized graph of the model at `modelPath`, encoded for `file` (weights to dataFileOf(file) when the source has
 * external data): BERT-pattern attention fused, DeBERTa's relative-position gathers narrowed to the span they read.
 */
export async function fuseModelFile(
  modelPath: string,
  file: string,
): Promise<{ bytes: Uint8Array; dataFile?: string; fusedAttention: number; narrowedGathers: number }> {
  const { model, external } = await readModelFile(modelPath);
  const fusedAttention = fuseBertModel(model).attention;
  const narrowedGathers = narrowRelativeGathers(model);
  if (fusedAttention === 0 && narrowedGathers === 0) {
    throw new CrossrankError(
      'ERR_NOT_OPTIMIZABLE',
      'optimize: true found nothing it can optimize in this graph: no self-attention block it can fuse (it knows the BERT ' +
        'export patterns of transformers / optimum) and no DeBERTa relative-position gather. Load it without the optimize option.',
    );
  }
  return { ...(await encodeModelFile(model, file, external)), fusedAttention, narrowedGathers };
}

/**
 * The int8 model of `basePath` meeting `target` on the probe pairs (mixed precision when needed), its figures in its
 * metadata, its external data (if any) moved to dataFileOf(file). Throws ERR_QUANTIZATION_FIDELITY / ERR_NOT_QUANTIZABLE.
 */
export async function quantizeModelFile(
  basePath: string,
  file: string,
  target: FidelityTarget,
  score: ProbeScorer,
  weightType?: WeightType,
): Promise<Int8Model> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  const scratch = await fs.promises.mkdtemp(path.join(dir, '.quantize-'));
  try {
    const int8 = await quantizeToTarget(basePath, target, score, scratch, path.basename(file), weightType);
    if (int8.dataFile) {
      await fs.promises.rename(int8.dataFile, dataFileOf(file));
      int8.dataFile = dataFileOf(file);
    }
    return { ...int8, bytes: withFidelity(int8.bytes, int8.fidelity) };
  } finally {
    await fs.promises.rm(scratch, { recursive: true, force: true });
  }
}

/** Checks a freshly written file (at `tempPath`) before it is cached; throws to refuse it. */
type Check = (tempPath: string) => Promise<void>;

/** Writes `bytes` to `target` through a temp file, after `check` accepts the temp file; on failure drops `dataFile` too. */
async function writeEntry(dir: string, target: string, bytes: Uint8Array, dataFile: string | undefined, check?: Check): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let kept = false;
  try {
    try {
      await fs.promises.mkdir(dir, { recursive: true });
      await fs.promises.writeFile(temp, bytes);
    } catch (error) {
      throw new CrossrankError(
        'ERR_MODEL_LOAD',
        `Cannot write the derived model to ${dir}: ${(error as Error).message}. Pass a writable folder as modelCacheDir.`,
        { cause: error },
      );
    }
    await check?.(temp);
    await fs.promises.rename(temp, target);
    kept = true;
  } finally {
    await fs.promises.rm(temp, { force: true });
    if (!kept && dataFile) await fs.promises.rm(dataFile, { force: true });
  }
}

/**
 * Returns the path of the derived version of `modelPath`, making and writing it on first use. The fused graph is its
 * own entry, checked against the source on probe pairs before it is kept; int8 (with optimize, of that entry) is
 * measured on probe pairs and kept only when it meets the target. A file name holds the derivation, the sha256 of the
 * source and its external data files, and crossrank's version, so a changed source or a new crossrank derives again;
 * older entries of the same derivation and source name are deleted then. `score` runs probes with the model's tokenizer.
 */
export async function derivedModelPath(
  modelPath: string,
  modelDir: string,
  derivation: Derivation,
  cacheDir: string | undefined,
  score: ProbeScorer,
): Promise<string> {
  const dir = cacheDir !== undefined ? path.resolve(cacheDir) : defaultCacheDir(modelDir);
  const stem = path.basename(modelPath, '.onnx');
  // Names the source by its path too, so that two models sharing a cache folder never delete each other's entries.
  const source = createHash('sha256').update(path.resolve(modelPath)).digest('hex').slice(0, 8);
  const dataFiles = externalDataFiles(modelPath).map((location) => path.resolve(path.dirname(modelPath), location));
  const hash = (await sha256([modelPath, ...dataFiles.filter((f) => fs.existsSync(f))])).slice(0, 32);
  const entry = (d: Derivation) => {
    const prefix = `${stem}.${source}.${tagOf(d)}.`;
    return { prefix, file: path.join(dir, `${prefix}${hash}.crossrank-${crossrankVersion()}.onnx`) };
  };
  const made: { prefix: string; file: string }[] = [];

  let base = modelPath;
  if (derivation.optimize) {
    const fused = entry({ optimize: true });
    if (!fs.existsSync(fused.file)) {
      await fs.promises.mkdir(dir, { recursive: true });
      const { bytes, dataFile } = await fuseModelFile(modelPath, fused.file);
      await writeEntry(dir, fused.file, bytes, dataFile, (temp) => verifyFused(score, modelPath, temp));
      made.push(fused);
    }
    base = fused.file;
  }
  let target = base;
  if (derivation.quantize) {
    const int8 = entry(derivation);
    if (!fs.existsSync(int8.file)) {
      const { bytes, dataFile } = await quantizeModelFile(base, int8.file, derivation.quantize, score);
      await writeEntry(dir, int8.file, bytes, dataFile);
      made.push(int8);
    }
    target = int8.file;
  }
  for (const { prefix, file } of made) {
    for (const name of await fs.promises.readdir(dir)) {
      const stale = name.startsWith(prefix) && (name.endsWith('.onnx') || name.endsWith('.onnx_data'));
      if (stale && path.join(dir, name) !== file && path.join(dir, name) !== dataFileOf(file)) await fs.promises.rm(path.join(dir, name), { force: true });
    }
  }
  return target;
}

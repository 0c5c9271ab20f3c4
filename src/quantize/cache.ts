// The int8 model cache: quantize once per source file content and crossrank version, then reuse the file.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CrossrankError } from '../errors';
import { quantizeInt8 } from './quantize-int8';

/** The precisions `CrossEncoder.load` can run a model at. */
export type Precision = 'fp32' | 'int8';

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

/**
 * Returns the path of the int8 version of `modelPath`, quantizing and writing it (temp file + rename) on first use.
 * The file name holds the source's sha256 and crossrank's version, so a changed source or a new crossrank quantizes
 * again; older entries for the same source name are deleted then.
 */
export async function int8ModelPath(modelPath: string, modelDir: string, cacheDir?: string): Promise<string> {
  const dir = cacheDir !== undefined ? path.resolve(cacheDir) : defaultCacheDir(modelDir);
  const stem = path.basename(modelPath, '.onnx');
  // Names the source by its path too, so that two models sharing a cache folder never delete each other's entries.
  const source = createHash('sha256').update(path.resolve(modelPath)).digest('hex').slice(0, 8);
  const prefix = `${stem}.${source}.int8.`;
  const target = path.join(dir, `${prefix}${(await sha256(modelPath)).slice(0, 32)}.crossrank-${crossrankVersion()}.onnx`);
  if (fs.existsSync(target)) return target;

  const result = quantizeInt8(await fs.promises.readFile(modelPath));
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(temp, result.bytes);
    await fs.promises.rename(temp, target);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw new CrossrankError(
      'ERR_MODEL_LOAD',
      `Cannot write the quantized model to ${dir}: ${(error as Error).message}. Pass a writable folder as quantizeCacheDir.`,
      { cause: error },
    );
  }
  for (const name of await fs.promises.readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.onnx') && path.join(dir, name) !== target) {
      await fs.promises.rm(path.join(dir, name), { force: true });
    }
  }
  return target;
}

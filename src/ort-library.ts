// Finds the ONNX Runtime shared library: load option, then CROSSRANK_ORT_LIBRARY, then the one inside onnxruntime-node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, type RuntimeInfo } from '../binding/native';
import { CrossrankError, fromNative } from './errors';

const LIBRARY_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'libonnxruntime.so.1',
  darwin: 'libonnxruntime.1.dylib',
  win32: 'onnxruntime.dll',
};

/** The library shipped by the onnxruntime-node package for this platform, or undefined when absent. */
export function bundledOrtLibrary(): string | undefined {
  let packageJson: string;
  try {
    packageJson = require.resolve('onnxruntime-node/package.json');
  } catch {
    return undefined;
  }
  const name = LIBRARY_NAMES[process.platform];
  if (!name) return undefined;
  const dir = path.join(path.dirname(packageJson), 'bin', 'napi-v6', process.platform, process.arch);
  const exact = path.join(dir, name);
  if (fs.existsSync(exact)) return exact;
  // macOS and Windows builds name the file with the full version; take whichever is there.
  const found = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^(lib)?onnxruntime[.\d]*\.(so[.\d]*|dylib|dll)$/.test(f)) : undefined;
  return found ? path.join(dir, found) : undefined;
}

/** Resolves which library to use and loads it once per process. */
export function loadOrtRuntime(explicitPath?: string): RuntimeInfo {
  const fromEnv = process.env.CROSSRANK_ORT_LIBRARY;
  const source = explicitPath !== undefined ? 'ortLibraryPath' : fromEnv ? 'CROSSRANK_ORT_LIBRARY' : 'onnxruntime-node';
  const chosen = explicitPath ?? (fromEnv || bundledOrtLibrary());
  if (!chosen) {
    throw new CrossrankError(
      'ERR_ORT_LOAD',
      `No ONNX Runtime library found for ${process.platform}-${process.arch}: onnxruntime-node is not installed or ships ` +
        'no library for this platform. Install onnxruntime-node, or set ortLibraryPath / CROSSRANK_ORT_LIBRARY ' +
        'to a libonnxruntime shared library.',
    );
  }
  const resolved = path.resolve(chosen);
  if (!fs.existsSync(resolved)) {
    throw new CrossrankError(
      'ERR_ORT_LOAD',
      `The ONNX Runtime library ${resolved} (from ${source}) does not exist. Point ${source} at an existing ` +
        'libonnxruntime shared library (e.g. lib/ in the official ONNX Runtime release), or unset it to use onnxruntime-node.',
    );
  }
  try {
    return native().loadRuntime(resolved);
  } catch (error) {
    throw fromNative(error);
  }
}

// The one typed boundary of the native addon: exactly what native/addon.cc exports, and the loader.
import * as path from 'node:path';
import * as fs from 'node:fs';

export interface RuntimeInfo {
  path: string;
  version: string;
  apiVersion: number;
}

export interface NativeBinding {
  loadRuntime(libraryPath: string): RuntimeInfo;
}

const root = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

let cached: NativeBinding | undefined;

// Loads the addon once: an explicit CROSSRANK_NATIVE_BINDING path, else the local cmake-js build.
export function native(): NativeBinding {
  if (cached) return cached;
  const candidates = process.env.CROSSRANK_NATIVE_BINDING
    ? [process.env.CROSSRANK_NATIVE_BINDING]
    : [path.join(root, 'build', 'Release', 'crossrank.node'), path.join(root, 'build', 'Debug', 'crossrank.node')];
  const failures: string[] = [];
  for (const file of candidates) {
    if (!fs.existsSync(file)) {
      failures.push(`${file}: not found`);
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require(file) as NativeBinding;
      return cached;
    } catch (err) {
      failures.push(`${file}: ${(err as Error).message}`);
    }
  }
  const error = new Error(
    `crossrank: the native addon could not be loaded. Tried:\n  ${failures.join('\n  ')}\n` +
      'Build it from source with `npm run build:native` (needs cmake and a C++17 compiler).',
  ) as Error & { code: string };
  error.code = 'ERR_NATIVE_LOAD';
  throw error;
}

// The one typed boundary of the native addon: exactly what native/addon.cc exports, and the loader.
import * as path from 'node:path';
import * as fs from 'node:fs';

export interface RuntimeInfo {
  path: string;
  version: string;
  apiVersion: number;
}

/** Options of createModel; every field is required and already validated by src/. */
export interface NativeModelOptions {
  modelPath: string;
  /** Execution providers in order, with ONNX Runtime's option keys; 'cpu' alone for CPU. */
  providers: { name: string; options: Record<string, string> }[];
  /** Load on CPU when a GPU provider cannot start and 'cpu' is last. */
  fallback: boolean;
  /** The model's maxLength: bounds TensorRT profiles. */
  maxLength: number;
  /** Pad batch widths up to a multiple of this (1: no bucketing). */
  lengthBucket: number;
  /** Batches run at once, each on its own threadpool thread. */
  maxInflightBatches: number;
  threads: number;
  numLabelsHint: number;
  maxBatchTokens: number;
  maxBatchSize: number;
  maxQueuedPairs: number;
  /** A run's fixed cost in padded tokens: the batcher cuts a batch before a longer pair whose padding costs more. */
  runCostTokens: number;
}

/** Batches run since load: their pairs, real tokens, and tokens as run (rows x width, padding included). */
export interface BatchStats {
  batches: number;
  pairs: number;
  tokens: number;
  paddedTokens: number;
}

/** Per-call options; enums are numbers: truncation 0 longest_first, 1 only_first, 2 only_second; activation 0 identity, 1 sigmoid, 2 softmax. */
export interface NativeCallOptions {
  maxLength: number;
  truncation: 0 | 1 | 2;
  activation: 0 | 1 | 2;
}

/** Receives a call's outcome on the main thread: an Error with `.code`, or count x numLabels scores. */
export type NativeCallback = (error: (Error & { code?: string }) | null, scores?: Float32Array) => void;

export interface NativeModel {
  readonly numLabels: number;
  readonly inputNames: string[];
  /** The provider running the graph: 'cpu', 'cuda' or 'tensorrt'. */
  readonly executionProvider: string;
  /** Why a requested GPU provider was skipped under fallback; undefined otherwise. */
  readonly fallbackReason: string | undefined;
  /** Where batch buffers live: 'cuda-pinned' (ONNX Runtime's pinned allocator, GPU), else 'heap', with why on a GPU. */
  readonly hostMemory: string;
  /** Totals over the batches run since load. */
  readonly batchStats: BatchStats;
  /** Queues texts a0, b0, a1, b1, ...; returns a ticket for cancel(). Throws a coded Error when closed or full. */
  score(texts: string[], options: NativeCallOptions, callback: NativeCallback): number;
  rank(query: string, documents: string[], options: NativeCallOptions, callback: NativeCallback): number;
  /** Drops the call's pending pairs; false when it had already settled (its callback still runs). */
  cancel(ticket: number): boolean;
  /** Rejects pending calls; the callback runs once the session is released. */
  close(callback: () => void): void;
}

/** What src/tokenizer-config.ts hands to createTokenizer: the text of a tokenizer.json and where the pad id comes from. */
export interface TokenizerSpec {
  json: string;
  /** tokenizer_config.json's pad_token, looked up among the added tokens and the model's vocabulary. */
  padToken: string | null;
  /** config.json's pad_token_id, used when there is no pad token by name. */
  padId: number | null;
}

export type NativeTruncation = 'longest_first' | 'only_first' | 'only_second';

export interface NativeEncoding {
  ids: Int32Array;
  typeIds: Int32Array;
}

export interface NativeTokenizer {
  /** Throws an Error with `.code` (ERR_TRUNCATION where the tokenizers crate errors). */
  encodePair(a: string, b: string, maxLength: number, truncation: NativeTruncation): NativeEncoding;
  /** Runs on the libuv threadpool; a pair that fails is an Error with `.code` in its slot. */
  encodePairs(
    firsts: string[],
    seconds: string[],
    maxLength: number,
    truncation: NativeTruncation,
  ): Promise<(NativeEncoding | (Error & { code?: string }))[]>;
  /** Benchmark entry: encodes the pairs `rounds` times on the calling thread; returns the seconds spent. */
  timeEncodePairs(
    firsts: string[],
    seconds: string[],
    maxLength: number,
    truncation: NativeTruncation,
    rounds: number,
  ): { seconds: number; tokens: number };
  padId(): number;
}

export interface NativeBinding {
  loadRuntime(libraryPath: string): RuntimeInfo;
  /** Parses and builds off the main thread; rejects with ERR_UNSUPPORTED_TOKENIZER naming a component it lacks. */
  createTokenizer(spec: TokenizerSpec): Promise<NativeTokenizer>;
  createModel(tokenizer: NativeTokenizer, options: NativeModelOptions): Promise<NativeModel>;
  /** Providers the loaded ONNX Runtime build lists ('cpu', 'cuda', 'tensorrt', ...). */
  availableProviders(): string[];
  /** Stops every engine of this environment at once; called on process exit. */
  shutdown(): void;
}

// The package root: binding/ from sources (tsx, vitest), dist/binding/ once compiled.
const root = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');

let cached: { binding: NativeBinding; file: string } | undefined;

function requireAddon(file: string): NativeBinding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binding = require(file) as NativeBinding;
  // process.exit() waits for threadpool work: stop runners first so exit is prompt.
  process.once('exit', () => binding.shutdown());
  cached = { binding, file };
  return binding;
}

function loadError(message: string): Error & { code: string } {
  const error = new Error(`crossrank: ${message}`) as Error & { code: string };
  error.code = 'ERR_NATIVE_LOAD';
  return error;
}

/**
 * Loads the addon once. An explicit path (`override`, i.e. the nativeBinding load option, else
 * CROSSRANK_NATIVE_BINDING) is the only candidate when given; otherwise the local cmake-js build (build/Release,
 * build/Debug), then the prebuild for this platform in prebuilds/ via node-gyp-build. Every failure is reported.
 */
export function native(override?: string): NativeBinding {
  const explicit = override ?? process.env.CROSSRANK_NATIVE_BINDING;
  if (cached) {
    if (override !== undefined && path.resolve(override) !== cached.file) {
      throw loadError(`nativeBinding ${override} was asked for, but ${cached.file} is already loaded; one process loads one addon.`);
    }
    return cached.binding;
  }
  const failures: string[] = [];
  const attempt = (file: string): NativeBinding | undefined => {
    if (!fs.existsSync(file)) {
      failures.push(`${file}: not found`);
      return undefined;
    }
    try {
      return requireAddon(file);
    } catch (err) {
      failures.push(`${file}: ${(err as Error).message}`);
      return undefined;
    }
  };
  if (explicit) {
    const binding = attempt(path.resolve(explicit));
    if (binding) return binding;
    throw loadError(
      `the native addon could not be loaded from the explicit path (nativeBinding option or CROSSRANK_NATIVE_BINDING):\n  ${failures.join('\n  ')}\n` +
        'Point it at a crossrank.node built for this platform, or unset it to use the prebuild or local build.',
    );
  }
  for (const file of [path.join(root, 'build', 'Release', 'crossrank.node'), path.join(root, 'build', 'Debug', 'crossrank.node')]) {
    const binding = attempt(file);
    if (binding) return binding;
  }
  let prebuild: string | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    prebuild = (require('node-gyp-build') as { path(dir: string): string }).path(root);
  } catch (err) {
    failures.push(`prebuilds/${process.platform}-${process.arch}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (prebuild && path.relative(path.join(root, 'build'), prebuild).split(path.sep)[0] !== '..') {
    // node-gyp-build returns build/ first when it holds any .node file: that one already failed above.
    failures.push(`prebuilds/: not consulted, node-gyp-build chose ${prebuild}; remove the broken build/ folder`);
  } else if (prebuild) {
    const binding = attempt(prebuild);
    if (binding) return binding;
  }
  throw loadError(
    `the native addon could not be loaded. Tried:\n  ${failures.join('\n  ')}\n` +
      `No prebuilt binary loads on ${process.platform}-${process.arch}: build from source with \`npm rebuild crossrank\` ` +
      '(needs cmake and a C++17 compiler; `npm run build:native` in a clone), or set CROSSRANK_NATIVE_BINDING / the ' +
      'nativeBinding option to a crossrank.node built elsewhere. A "GLIBC_2.xx not found" error means the system libc is older than the prebuild needs.',
  );
}

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
  threads: number;
  numLabelsHint: number;
  maxBatchTokens: number;
  maxBatchSize: number;
  maxQueuedPairs: number;
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
  /** Queues texts a0, b0, a1, b1, ...; returns a ticket for cancel(). Throws a coded Error when closed or full. */
  score(texts: string[], options: NativeCallOptions, callback: NativeCallback): number;
  rank(query: string, documents: string[], options: NativeCallOptions, callback: NativeCallback): number;
  /** Drops the call's pending pairs; false when it had already settled (its callback still runs). */
  cancel(ticket: number): boolean;
  /** Rejects pending calls; the callback runs once the session is released. */
  close(callback: () => void): void;
}

/** What src/tokenizer-config.ts hands to the native Tokenizer: a WordPiece tokenizer.json (or vocab.txt) made explicit. */
export interface TokenizerSpec {
  vocab: string[];
  vocabIds: Int32Array;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  /** BertNormalizer with strip_accents already resolved; null for no normalizer. */
  normalizer: { cleanText: boolean; handleChineseChars: boolean; stripAccents: boolean; lowercase: boolean } | null;
  /** Tokens matched verbatim in the raw text before normalization. */
  addedTokens: { content: string; id: number }[];
  pairTemplate: ({ kind: 'special'; ids: number[]; typeId: number } | { kind: 'A' | 'B'; typeId: number })[];
  padId: number;
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
  Tokenizer: new (spec: TokenizerSpec) => NativeTokenizer;
  createModel(tokenizer: NativeTokenizer, options: NativeModelOptions): Promise<NativeModel>;
  /** Stops every engine of this environment at once; called on process exit. */
  shutdown(): void;
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
      const binding = require(file) as NativeBinding;
      // process.exit() waits for threadpool work: stop runners first so exit is prompt.
      process.once('exit', () => binding.shutdown());
      cached = binding;
      return binding;
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
